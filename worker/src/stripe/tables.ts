import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { items } from "../catalog/tables";

/** One Stripe customer per buyer e-mail, reused by every checkout (signed-in or guest). */
export const stripeCustomers = sqliteTable("stripe_customers", {
  email: text("email").primaryKey(),
  customerId: text("customer_id").notNull().unique(),
  createdAt: integer("created_at").notNull(),
});

/** The Stripe price for an item's pricing; a pricing change makes a new one (prices are immutable). */
export const stripePrices = sqliteTable(
  "stripe_prices",
  {
    priceId: text("price_id").primaryKey(),
    itemId: text("item_id")
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    /** Canonical JSON of the pricing this price charges. */
    pricingKey: text("pricing_key").notNull(),
    productId: text("product_id").notNull(),
    meterEventName: text("meter_event_name"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("stripe_prices_item_pricing_idx").on(t.itemId, t.pricingKey)],
);

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
