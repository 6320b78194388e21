import { and, asc, desc, eq, inArray, type SQL } from "drizzle-orm";
import type { OrderT } from "../../../shared/payments";
import { itemRefsById } from "../catalog";
import type { Ctx } from "../context";
import type { Db } from "../db/client";
import { afterCursor, pageOf as keysetPage, newestFirst } from "../db/keyset";
import { notFound } from "../http/errors";
import { orderItems, orders, refunds } from "./tables";

export type OrderRow = typeof orders.$inferSelect;

/** The orders as the API shows them: with their lines, refunds and tax. */
export async function withItems(db: Db, rows: OrderRow[]): Promise<OrderT[]> {
  if (rows.length === 0) return [];
  const lines = await db
    .select()
    .from(orderItems)
    .where(
      inArray(
        orderItems.orderId,
        rows.map((r) => r.id),
      ),
    );
  const items = await itemRefsById(
    db,
    lines.map((l) => l.itemId),
  );
  const refundRows = await db
    .select({
      id: refunds.id,
      orderId: refunds.orderId,
      amount: refunds.amount,
      status: refunds.status,
      failureReason: refunds.failureReason,
      createdAt: refunds.createdAt,
    })
    .from(refunds)
    .where(
      inArray(
        refunds.orderId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(asc(refunds.createdAt), asc(refunds.id));
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    orgId: r.orgId,
    status: r.status,
    email: r.email,
    amount: r.amount,
    feeAmount: r.feeAmount,
    amountRefunded: r.amountRefunded,
    discountAmount: r.discountAmount,
    couponCode: r.couponCode,
    currency: r.currency,
    items: lines.flatMap((l) => {
      const item = items.get(l.itemId);
      if (l.orderId !== r.id || !item) return [];
      return { itemId: l.itemId, itemSlug: item.slug, itemName: item.name, amount: l.amount, quantity: l.quantity };
    }),
    refunds: refundRows.filter((f) => f.orderId === r.id).map(({ orderId: _, ...refund }) => refund),
    tax: r.taxAmount > 0 ? { amount: r.taxAmount, percentage: r.taxPercentage, country: r.taxCountry, taxId: r.taxId } : null,
    createdAt: r.createdAt,
  }));
}

/** Orders matching `scope` (an org's sales or a buyer's purchases), newest first, keyset-paginated. */
async function pageOf(db: Db, scope: SQL, limit: number, cursor?: string) {
  const rows = await db
    .select()
    .from(orders)
    .where(and(scope, afterCursor(orders, cursor)))
    .orderBy(...newestFirst(orders))
    .limit(limit + 1);
  const { page, nextCursor } = keysetPage(rows, limit, (r) => r);
  return { data: await withItems(db, page), nextCursor };
}

export interface OrderPage {
  limit: number;
  cursor?: string;
}

/** The org's sales. */
export const orgOrders = ({ db }: Ctx, { orgId, limit, cursor }: OrderPage & { orgId: string }) =>
  pageOf(db, eq(orders.orgId, orgId), limit, cursor);

/** The buyer's purchases. */
export const buyerOrders = ({ db }: Ctx, { userId, limit, cursor }: OrderPage & { userId: string }) =>
  pageOf(db, eq(orders.userId, userId), limit, cursor);

/** One order, only if it belongs to `orgId` (sales) — 404 otherwise, as for anything of another tenant. */
export async function findOrgOrder(db: Db, orgId: string | null, orderId: string): Promise<OrderRow> {
  const [row] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.id, orderId), orgId ? eq(orders.orgId, orgId) : undefined))
    .limit(1);
  if (!row) throw notFound("Order");
  return row;
}

/** One of the org's sales, with its items. */
export async function orgOrder({ db }: Ctx, { orgId, orderId }: { orgId: string; orderId: string }): Promise<OrderT> {
  return (await withItems(db, [await findOrgOrder(db, orgId, orderId)]))[0]!;
}

/** The first order a checkout made (a subscription's later invoices name the checkout too). */
export async function firstOrderOfCheckout(db: Db, checkoutId: string): Promise<Pick<OrderRow, "id" | "amount"> | undefined> {
  const [row] = await db
    .select({ id: orders.id, amount: orders.amount })
    .from(orders)
    .where(eq(orders.checkoutId, checkoutId))
    .orderBy(asc(orders.createdAt))
    .limit(1);
  return row;
}

/** The order a receipt names: the purchase's own, or a subscription's newest. */
export async function latestOrderOf(db: Db, source: { orderId: string | null; subscriptionId: string | null }) {
  const [row] = await db
    .select()
    .from(orders)
    .where(source.orderId ? eq(orders.id, source.orderId) : eq(orders.subscriptionId, source.subscriptionId ?? ""))
    .orderBy(desc(orders.createdAt))
    .limit(1);
  return row;
}

/** The order a Stripe payment intent paid and the items it bought (for disputes); undefined when Plaza has none (yet). */
export async function orderOfPaymentIntent(db: Db, paymentIntentId: string) {
  const [order] = await db.select().from(orders).where(eq(orders.paymentIntentId, paymentIntentId)).limit(1);
  if (!order) return undefined;
  const lines = await db.select({ itemId: orderItems.itemId }).from(orderItems).where(eq(orderItems.orderId, order.id));
  return { order, itemIds: lines.map((l) => l.itemId) };
}
