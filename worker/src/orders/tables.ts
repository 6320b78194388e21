import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * A paid sale: one per completed payment-mode checkout or paid subscription invoice, keyed by that
 * Stripe object's id (`source_id`), so any number of deliveries make one order.
 */
export const orders = sqliteTable(
  "orders",
  {
    id: text("id").primaryKey(),
    sourceId: text("source_id").notNull().unique(),
    kind: text("kind", { enum: ["purchase", "subscription"] }).notNull(),
    orgId: text("org_id").notNull(),
    userId: text("user_id").notNull(),
    email: text("email").notNull(),
    status: text("status", { enum: ["paid", "refunded", "partially_refunded"] }).notNull(),
    amount: integer("amount").notNull(),
    feeAmount: integer("fee_amount").notNull(),
    amountRefunded: integer("amount_refunded").notNull().default(0),
    /** What a coupon took off the list price (`amount` is after it), and the code the buyer entered. */
    discountAmount: integer("discount_amount").notNull().default(0),
    couponCode: text("coupon_code"),
    /** Sales tax/VAT included in `amount` (Stripe Tax), its rate in percent, and the buyer's billing country and tax id. */
    taxAmount: integer("tax_amount").notNull().default(0),
    taxPercentage: real("tax_percentage"),
    taxCountry: text("tax_country"),
    taxId: text("tax_id"),
    currency: text("currency").notNull(),
    paymentIntentId: text("payment_intent_id"),
    subscriptionId: text("subscription_id"),
    /** The checkout that started it (a subscription's later invoices carry it too). */
    checkoutId: text("checkout_id"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    index("orders_checkout_idx").on(t.checkoutId),
    index("orders_org_idx").on(t.orgId, t.createdAt),
    index("orders_user_idx").on(t.userId, t.createdAt),
    uniqueIndex("orders_payment_intent_idx").on(t.paymentIntentId),
  ],
);

export const orderItems = sqliteTable(
  "order_items",
  {
    orderId: text("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    itemId: text("item_id").notNull(),
    orgId: text("org_id").notNull(),
    priceId: text("price_id"),
    quantity: integer("quantity").notNull(),
    amount: integer("amount").notNull(),
    entitlementId: text("entitlement_id"),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.itemId] })],
);

/**
 * A refund Plaza asked Stripe for, written before the call. `pending` until `charge.refunded` books
 * it into the order's `amount_refunded` (then `succeeded`, in the same batch), so what is left to
 * refund is amount − amount_refunded − pending refunds. `failed` when Stripe refused it (or reports it
 * failed, even after it succeeded), `canceled` when Stripe canceled it; a failure Stripe reports is final. `idempotency_key` is the client's, one refund per order
 * and key; `request_hash` is the body it came with.
 */
export const refunds = sqliteTable(
  "refunds",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    orderId: text("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    reason: text("reason").notNull(),
    stripeRefundId: text("stripe_refund_id").unique(),
    status: text("status", { enum: ["pending", "succeeded", "failed", "canceled"] }).notNull(),
    /** Stripe's `failure_reason` when Stripe reports the refund failed (e.g. `expired_or_canceled_card`). */
    failureReason: text("failure_reason"),
    requestedBy: text("requested_by").notNull(),
    idempotencyKey: text("idempotency_key"),
    requestHash: text("request_hash").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("refunds_idempotency_idx").on(t.orderId, t.idempotencyKey),
    index("refunds_order_status_idx").on(t.orderId, t.status),
  ],
);
