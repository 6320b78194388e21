import { eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { checkouts } from "./tables";

/** Plaza's checkout for a Stripe Checkout Session id (`cs_…`), if it opened one. */
export async function checkoutIdOfSession(db: Db, sessionId: string): Promise<string | undefined> {
  const [row] = await db.select({ id: checkouts.id }).from(checkouts).where(eq(checkouts.sessionId, sessionId)).limit(1);
  return row?.id;
}

/** The Stripe Checkout Session of each of `checkoutIds` (at most 90: one bound parameter each). */
export async function sessionIdsOf(db: Db, checkoutIds: readonly string[]): Promise<Map<string, string>> {
  if (checkoutIds.length === 0) return new Map();
  const rows = await db
    .select({ id: checkouts.id, sessionId: checkouts.sessionId })
    .from(checkouts)
    .where(inArray(checkouts.id, [...new Set(checkoutIds)]));
  return new Map(rows.map((r) => [r.id, r.sessionId]));
}
