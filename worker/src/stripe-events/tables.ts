import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Every Stripe event received, once by its id: the webhook route only inserts it and enqueues its
 * id; the queue consumer processes it. `processed` / `ignored` rows are never processed again.
 */
export const stripeEvents = sqliteTable(
  "stripe_events",
  {
    id: text("id").primaryKey(),
    type: text("type").notNull(),
    /** Set for Connect events: the connected account they concern. */
    account: text("account"),
    payload: text("payload").notNull(),
    status: text("status", { enum: ["received", "processed", "ignored", "failed"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    receivedAt: integer("received_at").notNull(),
    processedAt: integer("processed_at"),
  },
  (t) => [index("stripe_events_status_idx").on(t.status, t.receivedAt)],
);
