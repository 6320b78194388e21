import { and, eq, gte, ne, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { orderItems, orders } from "./tables";

/**
 * How many of each of the org's items sold since `since` (quantities of order lines; an order
 * refunded in full is no sale, a partial refund still is), keyed by item id.
 */
export async function itemSalesSince(db: Db, { orgId, since }: { orgId: string; since: number }): Promise<Map<string, number>> {
  const rows = await db
    .select({ itemId: orderItems.itemId, sold: sql<number>`sum(${orderItems.quantity})` })
    .from(orders)
    .innerJoin(orderItems, eq(orderItems.orderId, orders.id))
    .where(and(eq(orders.orgId, orgId), gte(orders.createdAt, since), ne(orders.status, "refunded")))
    .groupBy(orderItems.itemId);
  return new Map(rows.map((r) => [r.itemId, Number(r.sold)]));
}
