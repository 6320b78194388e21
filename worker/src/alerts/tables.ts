import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Messages that reached a dead-letter queue, one row per (queue, message id) however often it is delivered there. */
export const deadLetters = sqliteTable(
  "dead_letters",
  {
    /** The dead-letter queue, e.g. `plaza-mail-dlq`. */
    queue: text("queue").notNull(),
    messageId: text("message_id").notNull(),
    /** What the message was about: its body (ids only) as JSON, cut to 200 characters. */
    about: text("about").notNull(),
    /** Deliveries on the dead-letter queue when recorded (the original queue's retries are its max_retries). */
    attempts: integer("attempts").notNull(),
    recordedAt: integer("recorded_at").notNull(),
    /** When operators were e-mailed about it; null: not yet. */
    alertedAt: integer("alerted_at"),
  },
  // Newest first for the console and the purge; the not-yet-alerted ones alone for each tick's alert job.
  (t) => [
    primaryKey({ columns: [t.queue, t.messageId] }),
    index("dead_letters_recorded_idx").on(t.recordedAt),
    index("dead_letters_unalerted_idx").on(t.recordedAt).where(sql`alerted_at IS NULL`),
  ],
);

/** Conditions operators were e-mailed about, by a key naming the condition, so each is mailed once. */
export const operatorAlerts = sqliteTable(
  "operator_alerts",
  {
    /** `dead_letters:<tick>` or `job_failing:<job>:<its newest successful run, or never>`. */
    key: text("key").primaryKey(),
    kind: text("kind", { enum: ["dead_letters", "job_failing"] }).notNull(),
    subject: text("subject").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("operator_alerts_created_idx").on(t.createdAt)],
);
