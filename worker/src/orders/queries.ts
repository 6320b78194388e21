import { and, eq, inArray, type SQL } from "drizzle-orm";
import type { OrderT } from "../../../shared/payments";
import type { Db } from "../db/client";
import { afterCursor, pageOf as keysetPage, newestFirst } from "../db/keyset";
import { items, orderItems, orders } from "../db/schema";
import { notFound } from "../http/errors";

type OrderRow = typeof orders.$inferSelect;

async function withItems(db: Db, rows: OrderRow[]): Promise<OrderT[]> {
  if (rows.length === 0) return [];
  const lines = await db
    .select({
      orderId: orderItems.orderId,
      itemId: orderItems.itemId,
      itemSlug: items.slug,
      itemName: items.name,
      amount: orderItems.amount,
      quantity: orderItems.quantity,
    })
    .from(orderItems)
    .innerJoin(items, eq(items.id, orderItems.itemId))
    .where(
      inArray(
        orderItems.orderId,
        rows.map((r) => r.id),
      ),
    );
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    orgId: r.orgId,
    status: r.status,
    email: r.email,
    amount: r.amount,
    feeAmount: r.feeAmount,
    amountRefunded: r.amountRefunded,
    currency: r.currency,
    items: lines.filter((l) => l.orderId === r.id).map(({ orderId: _, ...line }) => line),
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

export const orgOrders = (db: Db, orgId: string, limit: number, cursor?: string) => pageOf(db, eq(orders.orgId, orgId), limit, cursor);
export const buyerOrders = (db: Db, userId: string, limit: number, cursor?: string) => pageOf(db, eq(orders.userId, userId), limit, cursor);

/** One order, only if it belongs to `orgId` (sales) — 404 otherwise, as for anything of another tenant. */
export async function findOrgOrder(db: Db, orgId: string | null, orderId: string): Promise<OrderRow> {
  const row = await db.query.orders.findFirst({ where: and(eq(orders.id, orderId), orgId ? eq(orders.orgId, orgId) : undefined) });
  if (!row) throw notFound("Order");
  return row;
}

export async function orderView(db: Db, row: OrderRow): Promise<OrderT> {
  return (await withItems(db, [row]))[0]!;
}
