import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * Reports of an item, one row per case: an item has at most one open case, which everyone who
 * reports it joins (`reporterCount`); moderating the item or dismissing the case resolves it.
 * `reason` and `details` are the first reporter's.
 */
export const itemReports = sqliteTable(
  "item_reports",
  {
    id: text("id").primaryKey(),
    itemId: text("item_id").notNull(),
    orgId: text("org_id").notNull(),
    status: text("status", { enum: ["open", "resolved"] }).notNull(),
    reason: text("reason").notNull(),
    details: text("details").notNull(),
    reporterCount: integer("reporter_count").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    resolvedAt: integer("resolved_at"),
    resolvedBy: text("resolved_by"),
    /** `dismissed`, or the moderation action that resolved it (`unlist`, `remove`, `restore`). */
    resolution: text("resolution"),
  },
  (t) => [
    uniqueIndex("item_reports_open_idx").on(t.itemId).where(sql`status = 'open'`),
    index("item_reports_queue_idx").on(t.status, t.createdAt, t.id),
  ],
);

/** Who reported an item in a case, and why: once per person and case, so once per person while it is open. */
export const itemReportReporters = sqliteTable(
  "item_report_reporters",
  {
    reportId: text("report_id")
      .notNull()
      .references(() => itemReports.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull(),
    reason: text("reason").notNull(),
    details: text("details").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.reportId, t.userId] })],
);
