import { findItemRef } from "../catalog";
import type { Db } from "../db/client";
import { webhookEvent } from "../webhooks";
import type { orders } from "./tables";

type OrderRow = typeof orders.$inferSelect;

async function orderData(db: Db, order: OrderRow, itemId: string) {
  const item = await findItemRef(db, itemId);
  if (!item) throw new Error(`No item ${itemId} for a webhook event`);
  return {
    id: order.id,
    kind: order.kind,
    status: order.status,
    amount: order.amount,
    currency: order.currency,
    feeAmount: order.feeAmount,
    taxAmount: order.taxAmount,
    discountAmount: order.discountAmount,
    couponCode: order.couponCode,
    amountRefunded: order.amountRefunded,
    email: order.email,
    item,
    createdAt: order.createdAt,
  };
}

/** `order.created`, its id derived from the order: a sale recorded twice (a replayed event) is one event. */
export async function orderCreatedEvent(db: Db, order: OrderRow, itemId: string) {
  return webhookEvent(db, order.orgId, "order.created", await orderData(db, order, itemId), { cause: order.id, now: order.createdAt });
}

/** One event per refunded total an order reaches (a second partial refund is a second event). */
export async function orderRefundedEvent(db: Db, order: OrderRow, itemId: string, now: number) {
  return webhookEvent(db, order.orgId, "order.refunded", await orderData(db, order, itemId), {
    cause: `${order.id}:${order.amountRefunded}`,
    now,
  });
}
