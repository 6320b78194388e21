import { eq } from "drizzle-orm";
import type { JobRunT } from "../../../shared/operator";
import { truncateText } from "../../../shared/text";
import { backgroundContext, type Ctx } from "../context";
import { newId } from "../crypto/random";
import type { Env } from "../env";
import type { Job, ObjectOwner, Runtime } from "../module";
import { jobRuns } from "./tables";

const BATCH_SIZE = 500;

/** When the cron trigger fires (wrangler.toml `[triggers] crons`): every job runs on every tick. */
export const JOB_SCHEDULE = "*/5 * * * *";
/** When a module's `dailyJobs` run: the first tick of each UTC day. */
export const DAILY_JOB_SCHEDULE = "0 0 * * *";
const TICK_MS = 5 * 60_000;
const DAY_MS = 86_400_000;

/** A daily job is due on the tick that falls in the first tick-length of its UTC day. */
export const isDueOnTick = (job: string, scheduledTime: number, dailyJobs: ReadonlySet<string>) =>
  !dailyJobs.has(job) || scheduledTime % DAY_MS < TICK_MS;

type JobRunRow = typeof jobRuns.$inferSelect;
export const toJobRun = (row: JobRunRow): JobRunT => ({
  id: row.id,
  job: row.job,
  startedAt: row.startedAt,
  finishedAt: row.finishedAt,
  status: row.status,
  processed: row.processed,
  error: row.error,
});

/**
 * Runs one job for the tick at `scheduledAt` and records it in job_runs. The row is claimed with
 * ON CONFLICT DO NOTHING, so a re-delivered tick runs nothing (null). A failure is recorded, not thrown.
 */
export async function runJob(
  ctx: Ctx,
  { name, job, scheduledAt, objects }: { name: string; job: Job; scheduledAt: number; objects: readonly ObjectOwner[] },
): Promise<JobRunT | null> {
  const { db } = ctx;
  const [claimed] = await db
    .insert(jobRuns)
    .values({ id: newId("jobRun"), job: name, scheduledAt, startedAt: Date.now(), status: "running" })
    .onConflictDoNothing()
    .returning();
  if (!claimed) return null;
  let outcome: Partial<JobRunRow>;
  try {
    const processed = await job({ ...ctx, now: scheduledAt, batchSize: BATCH_SIZE, objects });
    outcome = { status: "succeeded", processed, finishedAt: Date.now() };
  } catch (err) {
    ctx.log("error", "maintenance job failed", { job: name, error: String(err) });
    outcome = { status: "failed", error: truncateText(String(err), 500), finishedAt: Date.now() };
  }
  const [finished] = await db.update(jobRuns).set(outcome).where(eq(jobRuns.id, claimed.id)).returning();
  return toJobRun(finished ?? { ...claimed, ...outcome });
}

/**
 * Runs each job due on this cron tick once (daily jobs only on the day's first tick). A job_runs row claimed with ON CONFLICT DO NOTHING makes a
 * re-delivered tick a no-op, and records what each run did.
 */
export async function runScheduled(scheduledTime: number, env: Env, runtime: Pick<Runtime, "jobs" | "dailyJobs" | "events" | "objects">) {
  const ctx = backgroundContext(env, { requestId: `cron_${scheduledTime}`, handlers: runtime.events });
  const results: Record<string, { status: "succeeded" | "failed" | "skipped"; processed: number }> = {};
  for (const [name, job] of Object.entries(runtime.jobs)) {
    if (!isDueOnTick(name, scheduledTime, runtime.dailyJobs)) continue;
    // One failing job must not stop the others: runJob records failures instead of throwing.
    const run = await runJob(ctx, { name, job, scheduledAt: scheduledTime, objects: runtime.objects });
    results[name] = run
      ? { status: run.status === "failed" ? "failed" : "succeeded", processed: run.processed }
      : { status: "skipped", processed: 0 };
  }
  return results;
}
