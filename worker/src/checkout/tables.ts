import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { CHECKOUT_STATUSES } from "../../../shared/payments";

/** A Checkout Session Plaza opened, with what it was for (the fulfillment reads amounts from Stripe). */
export const checkouts = sqliteTable(
  "checkouts",
  {
    id: text("id").primaryKey(),
    sessionId: text("session_id").notNull().unique(),
    orgId: text("org_id").notNull(),
    itemId: text("item_id").notNull(),
    userId: text("user_id"),
    email: text("email"),
    mode: text("mode", { enum: ["payment", "subscription"] }).notNull(),
    priceId: text("price_id").notNull(),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    feeAmount: integer("fee_amount").notNull(),
    /** The coupon the buyer's code named; `amount` is then the price after its discount. */
    couponId: text("coupon_id"),
    status: text("status", { enum: CHECKOUT_STATUSES }).notNull(),
    createdAt: integer("created_at").notNull(),
    completedAt: integer("completed_at"),
  },
  (t) => [index("checkouts_item_idx").on(t.itemId)],
);
