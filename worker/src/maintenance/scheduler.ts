import { eq } from "drizzle-orm";
import { truncateText } from "../../../shared/text";
import { backgroundContext } from "../context";
import { newId } from "../crypto/random";
import type { Env } from "../env";
import type { Runtime } from "../module";
import { jobRuns } from "./tables";

const BATCH_SIZE = 500;

/**
 * Runs each job once per cron tick. A job_runs row claimed with ON CONFLICT DO NOTHING makes a
 * re-delivered tick a no-op, and records what each run did.
 */
export async function runScheduled(scheduledTime: number, env: Env, runtime: Pick<Runtime, "jobs" | "events" | "objects">) {
  const ctx = backgroundContext(env, { requestId: `cron_${scheduledTime}`, handlers: runtime.events });
  const { db } = ctx;
  const results: Record<string, { status: "succeeded" | "failed" | "skipped"; processed: number }> = {};
  for (const [name, job] of Object.entries(runtime.jobs)) {
    const runId = newId("jobRun");
    const claimed = await db
      .insert(jobRuns)
      .values({ id: runId, job: name, scheduledAt: scheduledTime, startedAt: Date.now(), status: "running" })
      .onConflictDoNothing()
      .returning({ id: jobRuns.id });
    if (claimed.length === 0) {
      results[name] = { status: "skipped", processed: 0 };
      continue;
    }
    try {
      const processed = await job({ ...ctx, now: scheduledTime, batchSize: BATCH_SIZE, objects: runtime.objects });
      await db.update(jobRuns).set({ status: "succeeded", processed, finishedAt: Date.now() }).where(eq(jobRuns.id, runId));
      results[name] = { status: "succeeded", processed };
    } catch (err) {
      // One failing job must not stop the others.
      await db
        .update(jobRuns)
        .set({ status: "failed", error: truncateText(String(err), 500), finishedAt: Date.now() })
        .where(eq(jobRuns.id, runId));
      ctx.log("error", "maintenance job failed", { job: name, error: String(err) });
      results[name] = { status: "failed", processed: 0 };
    }
  }
  return results;
}
