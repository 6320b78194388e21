/** The backups domain's table. db/schema.ts lists every domain's for drizzle and drizzle-kit. */
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** A table as the export records it (dump.ts `TableShape`, with `parents` while the tables are being described). */
type ExportTable = { name: string; columns: string[]; key: string[]; parents?: string[] };

/**
 * Where the daily D1 export (export.ts) stands: one row per day an export was started, so each cron
 * tick does a bounded step of it and the next goes on from there. Not exported itself (it changes
 * while the export reads); rows older than the retention window are deleted with their exports.
 */
export const backupProgress = sqliteTable("backup_progress", {
  /** The export's UTC day: its folder `backups/<day>/`. */
  day: text("day").primaryKey(),
  /** Names its chunks (`<export id>/00001.sql`); a second export of the day (Run now) has another. */
  exportId: text("export_id").notNull(),
  startedAt: integer("started_at").notNull(),
  /** Set when the manifest is written; null: unfinished. */
  finishedAt: integer("finished_at"),
  /** d1_migrations' names when it started: a step that finds others gives the export up. */
  migrations: text("migrations", { mode: "json" }).$type<string[]>().notNull(),
  /** "tables": describing the tables (`table_index` is the next to describe); "rows": exporting them. */
  phase: text("phase", { enum: ["tables", "rows"] }).notNull(),
  /** In restore order once described. */
  tables: text("tables", { mode: "json" }).$type<ExportTable[]>().notNull(),
  tableIndex: integer("table_index").notNull().default(0),
  /** The key of the last row exported of the current table (null: none yet), and the next page's length. */
  after: text("after", { mode: "json" }).$type<unknown[]>(),
  pageRows: integer("page_rows").notNull(),
  /** The current table's rows so far and its checksum's running SHA-256 state (sha256.ts `save()`). */
  rows: integer("rows").notNull().default(0),
  hashState: text("hash_state"),
  /** The finished tables' row counts and checksums, in `tables` order. */
  sums: text("sums", { mode: "json" }).$type<{ rows: number; sha256: string }[]>().notNull(),
  /** Chunks written so far: the next is number `chunks + 1`. */
  chunks: integer("chunks").notNull().default(0),
  /** The step working on it until `lease_until` (ms); one step at a time, so chunk names never collide. */
  leaseId: text("lease_id"),
  leaseUntil: integer("lease_until").notNull().default(0),
  updatedAt: integer("updated_at").notNull(),
});
