import { backgroundContext } from "../src/context";
import { isDueOnTick, runScheduled } from "../src/maintenance";
import type { JobContext } from "../src/module";
import { runtime } from "../src/modules";

/** Every module's jobs (`runtime.jobs`). */
export const JOBS = runtime.jobs;

/** The jobs a tick at `time` runs (daily ones only on the first tick of a UTC day). */
export const jobsDueAt = (time: number) => Object.keys(JOBS).filter((job) => isDueOnTick(job, time, runtime.dailyJobs));

/** Runs a cron tick at `time` over `jobs` (default: every module's), with the modules' event handlers. */
export const runJobs = (time: number, env: Parameters<typeof runScheduled>[1], jobs = JOBS) =>
  runScheduled(time, env, { events: runtime.events, jobs, dailyJobs: runtime.dailyJobs, objects: runtime.objects });

/** What a job is handed on a cron tick at `now`, for calling one job directly. */
export const jobContext = (env: Parameters<typeof runScheduled>[1], now: number, batchSize = 500): JobContext => ({
  ...backgroundContext(env, { requestId: `cron_${now}`, handlers: runtime.events }),
  now,
  batchSize,
  objects: runtime.objects,
});
