/**
 * Recording a sale: the order, its order item and the ledger's sale entries, as statements for
 * the fulfilling domain's batch (checkout for a payment, billing for a subscription's invoice).
 */
import { and, eq } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type Stripe from "stripe";
import type { Ctx } from "../context";
import { derivedId } from "../crypto/random";
import type { Db } from "../db/client";
import { entitlementIdSql } from "../entitlements";
import { saleEntries } from "../ledger";
import { saleNotice } from "./notices";
import { orderItems, orders } from "./tables";
import { orderCreatedEvent } from "./webhook-events";

/** Metadata every Stripe object of a Plaza checkout carries, so recording its sale needs no other lookup. */
export interface CheckoutMetadata {
  plaza_checkout_id: string;
  plaza_item_id: string;
  plaza_org_id: string;
  plaza_email: string;
  [key: string]: string;
}

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
  /** The buyer's account. */
  userId: string;
  amount: number;
  fee: number;
  currency: string;
  priceId: string | null;
  paymentIntentId: string | null;
  subscriptionId: string | null;
  /** Tax the buyer paid on top (included in `amount`), from Stripe Tax. */
  tax?: SaleTax;
  /** What a coupon took off the list price (`amount` is after it) and the code entered. */
  discount?: { amount: number; code: string | null };
  now?: number;
}

export interface SaleTax {
  amount: number;
  /** The rate in percent, as Stripe reports it. */
  percentage: number | null;
  /** The buyer's billing country and tax id (e.g. a VAT number), as they entered them at Checkout. */
  country: string | null;
  taxId: string | null;
}

/** The order a Stripe object's sale is recorded as (derived, so every delivery names the same one). */
export const orderIdOf = (sourceId: string) => derivedId("order", sourceId);

/**
 * The statements that record one sale: its order and order item, the ledger's sale entries, the
 * `order.created` webhook event, the org admins' notification, and what other domains batch with it
 * (`sale.recorded`: checkout completes its checkout). Every id is derived from the Stripe object,
 * every insert ignores a conflict, so recording the same sale again writes nothing.
 */
export async function saleStatements(ctx: Pick<Ctx, "db" | "env" | "events">, sale: Sale) {
  const { db } = ctx;
  const now = sale.now ?? Date.now();
  const orderId = await orderIdOf(sale.sourceId);
  const m = sale.metadata;
  const order: typeof orders.$inferSelect = {
    id: orderId,
    sourceId: sale.sourceId,
    kind: sale.kind,
    orgId: m.plaza_org_id,
    userId: sale.userId,
    email: m.plaza_email,
    status: "paid",
    amount: sale.amount,
    feeAmount: sale.fee,
    amountRefunded: 0,
    taxAmount: sale.tax?.amount ?? 0,
    taxPercentage: sale.tax?.percentage ?? null,
    taxCountry: sale.tax?.country ?? null,
    taxId: sale.tax?.taxId ?? null,
    discountAmount: sale.discount?.amount ?? 0,
    couponCode: sale.discount?.code ?? null,
    currency: sale.currency,
    paymentIntentId: sale.paymentIntentId,
    subscriptionId: sale.subscriptionId,
    checkoutId: m.plaza_checkout_id,
    createdAt: now,
  };
  const event = await orderCreatedEvent(db, order, m.plaza_item_id);
  const notice = await saleNotice(ctx, order, m.plaza_item_id);
  const statements: BatchItem<"sqlite">[] = [
    db.insert(orders).values(order).onConflictDoNothing(),
    db
      .insert(orderItems)
      .values({ orderId, itemId: m.plaza_item_id, orgId: m.plaza_org_id, priceId: sale.priceId, quantity: 1, amount: sale.amount })
      .onConflictDoNothing(),
    ...(await saleEntries(
      db,
      { orderId, orgId: m.plaza_org_id, amount: sale.amount, fee: sale.fee, currency: sale.currency, tax: sale.tax?.amount },
      now,
    )),
    ...(await ctx.events.emit("sale.recorded", {
      orderId,
      checkoutId: m.plaza_checkout_id,
      orgId: m.plaza_org_id,
      itemId: m.plaza_item_id,
      now,
    })),
    event.insert,
    ...notice.statements,
  ];
  return { orderId, statements, webhookEventIds: [event.id], mailIds: notice.mailIds };
}

/** Links the order item to the entitlement it granted (after the grant in the same batch). */
export const linkEntitlement = (db: Db, link: { orderId: string; userId: string; itemId: string; source: "purchase" | "subscription" }) =>
  db
    .update(orderItems)
    .set({ entitlementId: entitlementIdSql(link) })
    .where(and(eq(orderItems.orderId, link.orderId), eq(orderItems.itemId, link.itemId)));

export async function orderExists(db: Db, orderId: string) {
  const [row] = await db.select({ id: orders.id }).from(orders).where(eq(orders.id, orderId)).limit(1);
  return row !== undefined;
}
