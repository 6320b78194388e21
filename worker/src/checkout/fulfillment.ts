import { and, eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type Stripe from "stripe";
import { derivedId } from "../crypto/random";
import type { Db } from "../db/client";
import { checkouts, entitlements, orderItems, orders } from "../db/schema";
import { grantEntitlementStatements } from "../entitlements/service";
import type { Env } from "../env";
import { log } from "../http/log";
import { saleEntries } from "../ledger";
import { issuedKey, issueLicenseStatements } from "../licenses";
import { enqueueMail } from "../mail";
import { stripeFor } from "../stripe";
import { orderCreatedEvent } from "../webhooks/domain-events";
import { enqueueWebhookEvents } from "../webhooks/outbox";
import { buyerFor } from "./buyers";
import type { CheckoutMetadata } from "./service";

/** Plaza's metadata on a Stripe object, or undefined for objects some other integration made. */
export function plazaMetadata(metadata: Stripe.Metadata | null | undefined): CheckoutMetadata | undefined {
  const m = metadata ?? {};
  return m.plaza_checkout_id && m.plaza_item_id && m.plaza_org_id && m.plaza_email ? (m as CheckoutMetadata) : undefined;
}

export interface Sale {
  /** The Stripe object the sale is keyed by: a Checkout Session or an invoice. */
  sourceId: string;
  kind: "purchase" | "subscription";
  metadata: CheckoutMetadata;
  amount: number;
  fee: number;
  currency: string;
  priceId: string | null;
  paymentIntentId: string | null;
  subscriptionId: string | null;
}

/**
 * The statements that record one sale: its order and order item, the ledger's sale entries, the
 * checkout marked complete and the `order.created` webhook event. Every id is derived from the
 * Stripe object, every insert ignores a conflict, so recording the same sale again writes nothing.
 */
export async function saleStatements(db: Db, sale: Sale, userId: string, now = Date.now()) {
  const orderId = await derivedId("order", sale.sourceId);
  const m = sale.metadata;
  const order: typeof orders.$inferSelect = {
    id: orderId,
    sourceId: sale.sourceId,
    kind: sale.kind,
    orgId: m.plaza_org_id,
    userId,
    email: m.plaza_email,
    status: "paid",
    amount: sale.amount,
    feeAmount: sale.fee,
    amountRefunded: 0,
    currency: sale.currency,
    paymentIntentId: sale.paymentIntentId,
    subscriptionId: sale.subscriptionId,
    checkoutId: m.plaza_checkout_id,
    createdAt: now,
  };
  const event = await orderCreatedEvent(db, order, m.plaza_item_id);
  const statements: BatchItem<"sqlite">[] = [
    db.insert(orders).values(order).onConflictDoNothing(),
    db
      .insert(orderItems)
      .values({ orderId, itemId: m.plaza_item_id, orgId: m.plaza_org_id, priceId: sale.priceId, quantity: 1, amount: sale.amount })
      .onConflictDoNothing(),
    ...(await saleEntries(db, { orderId, orgId: m.plaza_org_id, amount: sale.amount, fee: sale.fee, currency: sale.currency }, now)),
    db
      .update(checkouts)
      .set({ status: "complete", completedAt: now })
      .where(and(eq(checkouts.id, m.plaza_checkout_id), eq(checkouts.status, "open"))),
    event.insert,
  ];
  return { orderId, statements, webhookEventIds: [event.id] };
}

/** Links the order item to the entitlement it granted (after the grant in the same batch). */
export const linkEntitlement = (db: Db, orderId: string, userId: string, itemId: string, source: "purchase" | "subscription") =>
  db
    .update(orderItems)
    .set({
      entitlementId: sql`(SELECT ${entitlements.id} FROM ${entitlements} WHERE ${entitlements.userId} = ${userId} AND ${entitlements.itemId} = ${itemId} AND ${entitlements.source} = ${source})`,
    })
    .where(and(eq(orderItems.orderId, orderId), eq(orderItems.itemId, itemId)));

export interface FulfillmentResult {
  orderId: string;
  /** False when the order already existed: nothing was written. */
  created: boolean;
  /**
   * The license key this attempt issued, in full: the only time it exists outside the buyer's
   * hands (and the one-time reveal row). Null when another attempt issued the license first.
   */
  license: { id: string; key: string } | null;
}

/**
 * `checkout.session.completed` in payment mode: one order, one `purchase` entitlement, its license
 * and the ledger entries, in one batch. The session is re-fetched so an event's stale copy decides nothing.
 */
export async function fulfillCheckoutPayment(env: Env, db: Db, sessionId: string): Promise<FulfillmentResult | undefined> {
  const ctx = { env, db };
  const stripe = stripeFor(env);
  const session = await stripe.checkout.sessions.retrieve(sessionId, { expand: ["payment_intent"] });
  const metadata = plazaMetadata(session.metadata);
  if (!metadata || session.mode !== "payment" || session.payment_status !== "paid") return undefined;
  const paymentIntent = session.payment_intent as Stripe.PaymentIntent | null;
  const orderId = await derivedId("order", session.id);
  if (await db.query.orders.findFirst({ columns: { id: true }, where: eq(orders.id, orderId) }))
    return { orderId, created: false, license: null };

  const checkout = await db.query.checkouts.findFirst({ where: eq(checkouts.id, metadata.plaza_checkout_id) });
  // What was paid must be what Plaza asked for: same session, amount and currency as the checkout.
  if (
    !checkout ||
    checkout.sessionId !== session.id ||
    checkout.amount !== session.amount_total ||
    checkout.currency !== session.currency
  ) {
    log("error", "paid checkout session does not match its checkout", { sessionId: session.id, checkoutId: metadata.plaza_checkout_id });
    return undefined;
  }
  const userId = await buyerFor(db, metadata.plaza_email);
  const sale = await saleStatements(
    db,
    {
      sourceId: session.id,
      kind: "purchase",
      metadata,
      amount: session.amount_total ?? 0,
      fee: paymentIntent?.application_fee_amount ?? 0,
      currency: session.currency ?? "usd",
      priceId: checkout.priceId,
      paymentIntentId: paymentIntent?.id ?? null,
      subscriptionId: null,
    },
    userId,
  );
  const license = await issueLicenseStatements(ctx, {
    source: { kind: "purchase", orderId: sale.orderId },
    orgId: metadata.plaza_org_id,
    itemId: metadata.plaza_item_id,
    userId,
    email: metadata.plaza_email,
    checkoutId: checkout.id,
  });
  const grant = await grantEntitlementStatements(db, {
    itemId: metadata.plaza_item_id,
    userId,
    source: "purchase",
    reference: sale.orderId,
  });
  const statements: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] = [
    ...(sale.statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]),
    ...grant.statements,
    linkEntitlement(db, sale.orderId, userId, metadata.plaza_item_id, "purchase"),
  ];
  const licenseAt = statements.length;
  const results = await db.batch([...statements, ...license.statements]);
  const key = issuedKey(license, results, licenseAt);
  if (key) await enqueueMail({ env }, [license.receiptMailId]);
  await enqueueWebhookEvents(env, [...sale.webhookEventIds, ...grant.webhookEventIds, license.webhookEventId]);
  return { orderId: sale.orderId, created: true, license: key ? { id: license.licenseId, key } : null };
}
