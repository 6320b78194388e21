import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { COUPON_DURATIONS } from "../../../shared/coupons";

/**
 * A code an item's authors give out, mirrored by a Stripe Coupon and Promotion Code on the platform
 * account. `code_key` is the code in lower case: codes are unique on the platform in any case, as in Stripe.
 */
export const coupons = sqliteTable(
  "coupons",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    itemId: text("item_id").notNull(),
    code: text("code").notNull(),
    codeKey: text("code_key").notNull(),
    percentOff: integer("percent_off"),
    amountOff: integer("amount_off"),
    currency: text("currency").notNull(),
    duration: text("duration", { enum: COUPON_DURATIONS }).notNull(),
    durationInMonths: integer("duration_in_months"),
    maxRedemptions: integer("max_redemptions"),
    timesRedeemed: integer("times_redeemed").notNull().default(0),
    expiresAt: integer("expires_at"),
    active: integer("active", { mode: "boolean" }).notNull(),
    stripeCouponId: text("stripe_coupon_id").notNull(),
    stripePromotionCodeId: text("stripe_promotion_code_id").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("coupons_code_key_idx").on(t.codeKey), index("coupons_item_idx").on(t.itemId, t.createdAt)],
);

/** One paid order that used a coupon: `times_redeemed` counts these rows, so a replayed sale counts once. */
export const couponRedemptions = sqliteTable(
  "coupon_redemptions",
  {
    couponId: text("coupon_id")
      .notNull()
      .references(() => coupons.id, { onDelete: "cascade" }),
    orderId: text("order_id").notNull(),
    discountAmount: integer("discount_amount").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.couponId, t.orderId] })],
);
