/** The job_runs log as operators read it, a run started by hand, and keeping the log to 30 days. */
import { and, desc, eq, gte, inArray, lt, ne, or } from "drizzle-orm";
import type { JobRunT, JobSummaryT } from "../../../shared/operator";
import { auditInsert } from "../audit";
import type { Ctx } from "../context";
import type { Db } from "../db/client";
import { decodeCursor, pageOf } from "../db/keyset";
import { notFound } from "../http/errors";
import type { Job, Runtime } from "../module";
import { DAILY_JOB_SCHEDULE, JOB_SCHEDULE, runJob, toJobRun } from "./scheduler";
import { jobRuns } from "./tables";

export const JOB_RUN_RETENTION_MS = 30 * 86_400_000;

/** Every job with its newest run (one indexed read per job, on (job, scheduled_at)). */
export async function jobSummaries(db: Db, { jobs, dailyJobs }: Pick<Runtime, "jobs" | "dailyJobs">): Promise<JobSummaryT[]> {
  const names = Object.keys(jobs).sort();
  if (names.length === 0) return [];
  const newest = (job: string) => db.select().from(jobRuns).where(eq(jobRuns.job, job)).orderBy(desc(jobRuns.scheduledAt)).limit(1);
  const [first, ...rest] = names.map(newest);
  const results = await db.batch([first!, ...rest]);
  return names.map((job, i) => {
    const row = results[i]?.[0];
    return { job, schedule: dailyJobs.has(job) ? DAILY_JOB_SCHEDULE : JOB_SCHEDULE, lastRun: row ? toJobRun(row) : null };
  });
}

/** Runs newest first (by tick), keyset-paged on (scheduled_at, id), of one job or all. */
export async function jobRunsPage(db: Db, { job, cursor, limit }: { job?: string; cursor?: string; limit: number }) {
  const at = cursor ? decodeCursor(cursor) : undefined;
  const rows = await db
    .select()
    .from(jobRuns)
    .where(
      and(
        job ? eq(jobRuns.job, job) : undefined,
        at ? or(lt(jobRuns.scheduledAt, at.createdAt), and(eq(jobRuns.scheduledAt, at.createdAt), lt(jobRuns.id, at.id))) : undefined,
      ),
    )
    .orderBy(desc(jobRuns.scheduledAt), desc(jobRuns.id))
    .limit(limit + 1);
  const { page, nextCursor } = pageOf(rows, limit, (r) => ({ createdAt: r.scheduledAt, id: r.id }));
  return { data: page.map(toJobRun), nextCursor };
}

/**
 * An operator's "run now": the scheduler's own runner on a tick of this moment, so the run is
 * recorded in job_runs like a cron run; the request is audited with the operator's id.
 */
export async function runJobNow(
  ctx: Ctx,
  runtime: Pick<Runtime, "jobs" | "objects">,
  { operatorId, job: name }: { operatorId: string; job: string },
): Promise<JobRunT> {
  const job = runtime.jobs[name];
  if (!job) throw notFound("Job");
  let run: JobRunT | null = null;
  // A cron tick or another click may hold this millisecond's tick; the next one is free.
  for (let scheduledAt = Date.now(); !run; scheduledAt++) run = await runJob(ctx, { name, job, scheduledAt, objects: runtime.objects });
  await auditInsert(ctx, {
    action: "job.run_now",
    actorUserId: operatorId,
    targetType: "job_run",
    targetId: run.id,
    metadata: { job: name, status: run.status, processed: run.processed },
  });
  return run;
}

export interface FailingJob {
  job: string;
  /** The newest run's error and tick. */
  error: string | null;
  failedAt: number;
  /** The newest successful run before the failures (null: none in the log): it names the failing streak. */
  lastSuccessId: string | null;
}

/**
 * Jobs whose two newest finished runs both failed, among the jobs with a failed run scheduled since
 * `since`: only recent runs are read on each tick, then a job's newest runs through its (job, tick) index.
 */
export async function jobsFailedTwiceInARow(db: Db, since: number): Promise<FailingJob[]> {
  const recent = await db
    .selectDistinct({ job: jobRuns.job })
    .from(jobRuns)
    .where(and(gte(jobRuns.scheduledAt, since), eq(jobRuns.status, "failed")));
  const failing: FailingJob[] = [];
  for (const { job } of recent) {
    // A run still `running` (or lost mid-run) has no outcome yet: the two newest that have one count.
    const [last, previous] = await db
      .select()
      .from(jobRuns)
      .where(and(eq(jobRuns.job, job), ne(jobRuns.status, "running")))
      .orderBy(desc(jobRuns.scheduledAt))
      .limit(2);
    if (last?.status !== "failed" || previous?.status !== "failed") continue;
    const [success] = await db
      .select({ id: jobRuns.id })
      .from(jobRuns)
      .where(and(eq(jobRuns.job, job), eq(jobRuns.status, "succeeded")))
      .orderBy(desc(jobRuns.scheduledAt))
      .limit(1);
    failing.push({ job, error: last.error, failedAt: last.scheduledAt, lastSuccessId: success?.id ?? null });
  }
  return failing;
}

/** Runs of ticks more than 30 days old are deleted, `batchSize` at a time. */
export const purgeJobRuns: Job = async ({ db, now, batchSize }) => {
  const old = db
    .select({ id: jobRuns.id })
    .from(jobRuns)
    .where(lt(jobRuns.scheduledAt, now - JOB_RUN_RETENTION_MS))
    .limit(batchSize);
  const deleted = await db.delete(jobRuns).where(inArray(jobRuns.id, old)).returning({ id: jobRuns.id });
  return deleted.length;
};
