import { and, eq, gt, inArray, isNull, lte, ne, or, type SQLWrapper } from "drizzle-orm";
import { userEmailSql } from "../auth";
import { itemNameSql } from "../catalog";
import type { Db } from "../db/client";
import { licenses } from "./tables";

/**
 * Active licenses of `subscriptionIds` (a subquery: billing's subscriptions canceling at period
 * end) expiring in (`from`, `until`] whose current expiry was not warned of yet, with what the
 * e-mail needs.
 */
export function licensesToWarn(
  db: Db,
  { from, until, subscriptionIds, limit }: { from: number; until: number; subscriptionIds: SQLWrapper; limit: number },
) {
  return db
    .select({
      id: licenses.id,
      expiresAt: licenses.expiresAt,
      itemName: itemNameSql(licenses.itemId),
      email: userEmailSql(licenses.userId),
    })
    .from(licenses)
    .where(
      and(
        eq(licenses.status, "active"),
        gt(licenses.expiresAt, from),
        lte(licenses.expiresAt, until),
        or(isNull(licenses.expiryWarnedFor), ne(licenses.expiryWarnedFor, licenses.expiresAt)),
        inArray(licenses.subscriptionId, subscriptionIds),
      ),
    )
    .limit(limit);
}

/** The statement remembering that the license's expiry at `expiresAt` was warned of. */
export const markExpiryWarned = (db: Db, licenseId: string, expiresAt: number) =>
  db.update(licenses).set({ expiryWarnedFor: expiresAt }).where(eq(licenses.id, licenseId));
