import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const jobRuns = sqliteTable(
  "job_runs",
  {
    id: text("id").primaryKey(),
    job: text("job").notNull(),
    /** The cron tick this run belongs to; a tick runs each job at most once. */
    scheduledAt: integer("scheduled_at").notNull(),
    startedAt: integer("started_at").notNull(),
    finishedAt: integer("finished_at"),
    status: text("status", { enum: ["running", "succeeded", "failed"] }).notNull(),
    processed: integer("processed").notNull().default(0),
    error: text("error"),
  },
  // By tick across jobs: the operators' run log, newest first, and the purge of old runs.
  (t) => [uniqueIndex("job_runs_tick_idx").on(t.job, t.scheduledAt), index("job_runs_scheduled_idx").on(t.scheduledAt, t.id)],
);

/** Where a job that walks something in pages (the R2 bucket) stopped, so its next run goes on from there. */
export const jobCursors = sqliteTable("job_cursors", {
  job: text("job").primaryKey(),
  /** The last key the run handled; null: start again from the beginning. */
  position: text("position"),
  updatedAt: integer("updated_at").notNull(),
});
