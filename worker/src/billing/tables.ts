import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** A buyer's subscription to an item, mirrored from Stripe (re-fetched on every event about it). */
export const subscriptions = sqliteTable(
  "subscriptions",
  {
    id: text("id").primaryKey(),
    stripeSubscriptionId: text("stripe_subscription_id").notNull().unique(),
    orgId: text("org_id").notNull(),
    itemId: text("item_id").notNull(),
    userId: text("user_id").notNull(),
    customerId: text("customer_id").notNull(),
    status: text("status").notNull(),
    /** Null for rows mirrored before it was kept, until Stripe's next event about them. */
    currentPeriodStart: integer("current_period_start"),
    currentPeriodEnd: integer("current_period_end").notNull(),
    cancelAtPeriodEnd: integer("cancel_at_period_end", { mode: "boolean" }).notNull(),
    /** The plan Stripe bills now (its price, interval and amount); null for rows mirrored before it was kept, until the next event. */
    priceId: text("price_id"),
    interval: text("interval"),
    amount: integer("amount"),
    currency: text("currency"),
    /** While past due, access lasts until here; then the entitlement lapses. */
    graceUntil: integer("grace_until"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("subscriptions_user_idx").on(t.userId), index("subscriptions_org_idx").on(t.orgId)],
);

/** Usage of a metered item, idempotent per buyer by the client's key; reported to Stripe by a queue. */
export const usageRecords = sqliteTable(
  "usage_records",
  {
    id: text("id").primaryKey(),
    subscriptionId: text("subscription_id").notNull(),
    itemId: text("item_id").notNull(),
    userId: text("user_id").notNull(),
    clientKey: text("client_key").notNull(),
    quantity: integer("quantity").notNull(),
    /** Part of `quantity` paid from prepaid credits; only the rest is billed. */
    creditsUsed: integer("credits_used").notNull().default(0),
    recordedAt: integer("recorded_at").notNull(),
    reportedAt: integer("reported_at"),
  },
  (t) => [
    uniqueIndex("usage_client_key_idx").on(t.userId, t.clientKey),
    index("usage_unreported_idx").on(t.reportedAt, t.recordedAt),
    /** A subscription's usage this period. */
    index("usage_subscription_idx").on(t.subscriptionId, t.recordedAt),
  ],
);

/** Append-only prepaid credits per buyer and item: grants add, usage subtracts. */
export const creditEntries = sqliteTable(
  "credit_entries",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    itemId: text("item_id").notNull(),
    amount: integer("amount").notNull(),
    reason: text("reason").notNull(),
    reference: text("reference").notNull().unique(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("credit_user_item_idx").on(t.userId, t.itemId)],
);

// ---- licenses ----
