import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * A cardholder's dispute of an order's payment, as Stripe last reported it: keyed by Stripe's
 * dispute id (`du_…`), so every event of it lands on one row. `status` is Stripe's; `won` and `lost`
 * are final (a late event read before the close never reopens it).
 */
export const disputes = sqliteTable(
  "disputes",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    orderId: text("order_id").notNull(),
    itemId: text("item_id"),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    /** Stripe's `reason`, e.g. `fraudulent`, `product_not_received`. */
    reason: text("reason").notNull(),
    status: text("status").notNull(),
    /** When the evidence is due (`evidence_details.due_by`), ms; null once Stripe no longer takes any. */
    evidenceDueBy: integer("evidence_due_by"),
    livemode: integer("livemode", { mode: "boolean" }).notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("disputes_org_idx").on(t.orgId, t.createdAt), index("disputes_order_idx").on(t.orderId)],
);
