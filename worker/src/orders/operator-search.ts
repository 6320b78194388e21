import { desc, eq, inArray, type SQL } from "drizzle-orm";
import type { OrderT } from "../../../shared/payments";
import type { Db } from "../db/client";
import { withItems } from "./queries";
import { orders } from "./tables";

/** What an operator's search resolved to: an order id, a buyer, a payment intent, or checkouts (by their Stripe session). */
export type OrderMatch =
  | { orderId: string }
  | { userId: string }
  | { email: string }
  | { paymentIntentId: string }
  | { checkoutIds: string[] };

const ORDERS_FOUND = 50;

const condition = (match: OrderMatch): SQL | undefined => {
  if ("orderId" in match) return eq(orders.id, match.orderId);
  if ("userId" in match) return eq(orders.userId, match.userId);
  if ("email" in match) return eq(orders.email, match.email);
  if ("paymentIntentId" in match) return eq(orders.paymentIntentId, match.paymentIntentId);
  return match.checkoutIds.length > 0 ? inArray(orders.checkoutId, match.checkoutIds) : undefined;
};

/** The orders an operator looked for, newest first (at most 50), with the buyer and the Stripe ids Plaza keeps. */
export async function findOrdersFor(
  db: Db,
  match: OrderMatch,
): Promise<(OrderT & { userId: string; paymentIntentId: string | null; checkoutId: string | null })[]> {
  const where = condition(match);
  if (!where) return [];
  const rows = await db.select().from(orders).where(where).orderBy(desc(orders.createdAt), desc(orders.id)).limit(ORDERS_FOUND);
  const shown = await withItems(db, rows);
  return shown.map((order, i) => ({
    ...order,
    userId: rows[i]!.userId,
    paymentIntentId: rows[i]!.paymentIntentId,
    checkoutId: rows[i]!.checkoutId,
  }));
}
