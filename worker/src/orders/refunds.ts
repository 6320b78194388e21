import { eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type Stripe from "stripe";
import { truncateText } from "../../../shared/text";
import { auditInsert, type RequestMeta } from "../audit/record";
import type { Db } from "../db/client";
import { orderItems, orders, subscriptions } from "../db/schema";
import type { Env } from "../env";
import { revokeEntitlementStatements } from "../entitlements/service";
import { AppError } from "../http/errors";
import { refundEntries } from "../ledger/entries";
import { revokeOrderLicenses, revokeSubscriptionLicense } from "../licenses/issuance";
import { stripeFor } from "../stripe/client";
import { orderRefundedEvent } from "../webhooks/domain-events";
import { enqueueWebhookEvents } from "../webhooks/outbox";
import { findOrgOrder } from "./queries";

/** Thrown when an event arrives before what it refers to; the queue retries it later. */
export class NotYetKnown extends Error {}

/**
 * An author's or operator's refund: Stripe refunds the buyer, pulls the amount back from the
 * author's account (`reverse_transfer`) and returns the platform fee share. Plaza's own records
 * change when `charge.refunded` arrives, the single path for refunds made anywhere.
 */
export async function requestRefund(
  env: Env,
  db: Db,
  meta: RequestMeta,
  input: { orgId: string | null; orderId: string; amount?: number; reason: string; actorUserId: string; idempotencyKey?: string },
) {
  const order = await findOrgOrder(db, input.orgId, input.orderId);
  const refundable = order.amount - order.amountRefunded;
  if (!order.paymentIntentId || refundable <= 0) throw new AppError("conflict", "Nothing left to refund on this order");
  const amount = input.amount ?? refundable;
  if (amount > refundable) {
    throw new AppError("invalid_request", `At most ${refundable} can still be refunded`, { fields: { "body.amount": [`must be at most ${refundable}`] } });
  }
  const refund = await stripeFor(env).refunds.create(
    { payment_intent: order.paymentIntentId, amount, reverse_transfer: true, refund_application_fee: true, metadata: { plaza_order_id: order.id, reason: truncateText(input.reason, 450) } },
    // Same client key, or the same amount against the same refunded total: one refund.
    { idempotencyKey: `refund:${order.id}:${input.idempotencyKey ?? `${order.amountRefunded}:${amount}`}` },
  );
  await db.batch([
    auditInsert(db, meta, {
      action: "order.refund_requested",
      orgId: order.orgId,
      actorUserId: input.actorUserId,
      targetType: "order",
      targetId: order.id,
      metadata: { amount, currency: order.currency, reason: input.reason, refundId: refund.id },
    }),
  ]);
  return { orderId: order.id, refundId: refund.id, amount: refund.amount, currency: refund.currency, status: refund.status ?? "pending" };
}

/**
 * `charge.refunded`: one ledger pair per Stripe refund (keyed by its id), the order's refunded
 * total mirrored from the charge, and on a full refund the entitlement and its license key revoked
 * (the rating leaves the aggregate). A subscription refunded in full is canceled too.
 */
export async function applyChargeRefunded(env: Env, db: Db, meta: RequestMeta, chargeId: string) {
  const stripe = stripeFor(env);
  const charge = await stripe.charges.retrieve(chargeId);
  const paymentIntentId = typeof charge.payment_intent === "string" ? charge.payment_intent : charge.payment_intent?.id;
  if (!paymentIntentId) return false;
  const order = await db.query.orders.findFirst({ where: eq(orders.paymentIntentId, paymentIntentId) });
  if (!order) throw new NotYetKnown(`No order yet for ${paymentIntentId}`);
  const refunds = await stripe.refunds.list({ charge: chargeId, limit: 100 });
  const now = Date.now();

  const statements: BatchItem<"sqlite">[] = [];
  for (const refund of refunds.data.filter((r: Stripe.Refund) => r.status === "succeeded" || r.status === "pending")) {
    const feeRefund = order.amount > 0 ? Math.round((order.feeAmount * refund.amount) / order.amount) : 0;
    statements.push(...(await refundEntries(db, { refundId: refund.id, orderId: order.id, orgId: order.orgId, amount: refund.amount, feeRefund, currency: order.currency }, now)));
  }
  const refunded = Math.min(order.amount, charge.amount_refunded);
  const full = refunded >= order.amount;
  statements.push(
    db
      .update(orders)
      .set({ amountRefunded: sql`max(${orders.amountRefunded}, ${refunded})`, status: full ? "refunded" : "partially_refunded" })
      .where(eq(orders.id, order.id)),
  );
  const lines = await db.select({ itemId: orderItems.itemId }).from(orderItems).where(eq(orderItems.orderId, order.id));
  const events = [];
  const entitlementEventIds: string[] = [];
  if (refunded > order.amountRefunded && lines[0]) {
    const after = { ...order, amountRefunded: refunded, status: full ? ("refunded" as const) : ("partially_refunded" as const) };
    events.push(await orderRefundedEvent(db, after, lines[0].itemId, now));
  }
  if (full && order.status !== "refunded") {
    for (const line of lines) {
      const revoke = await revokeEntitlementStatements(db, { userId: order.userId, itemId: line.itemId, source: order.kind === "purchase" ? "purchase" : "subscription" }, now);
      statements.push(...revoke.statements);
      entitlementEventIds.push(...revoke.webhookEventIds);
    }
    const licensesRevoked = order.kind === "subscription" && order.subscriptionId ? await revokeSubscriptionLicense(db, order.subscriptionId, now) : await revokeOrderLicenses(db, order.id, now);
    statements.push(...licensesRevoked.statements);
    entitlementEventIds.push(...licensesRevoked.webhookEventIds);
    statements.push(auditInsert(db, meta, { action: "order.refunded", orgId: order.orgId, targetType: "order", targetId: order.id, metadata: { amountRefunded: refunded, currency: order.currency } }));
  }
  statements.push(...events.map((e) => e.insert));
  await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  await enqueueWebhookEvents(env, [...events.map((e) => e.id), ...entitlementEventIds]);
  if (full && order.kind === "subscription" && order.subscriptionId) await cancelRefundedSubscription(env, db, order.subscriptionId);
  return true;
}

async function cancelRefundedSubscription(env: Env, db: Db, subscriptionId: string) {
  const sub = await db.query.subscriptions.findFirst({ where: eq(subscriptions.id, subscriptionId) });
  if (!sub || sub.status === "canceled") return;
  const stripe = stripeFor(env);
  const current = await stripe.subscriptions.retrieve(sub.stripeSubscriptionId);
  if (current.status !== "canceled") await stripe.subscriptions.cancel(sub.stripeSubscriptionId);
}
