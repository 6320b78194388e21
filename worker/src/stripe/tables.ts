import { integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
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
