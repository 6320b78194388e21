import { type SQL, sql } from "drizzle-orm";
import { REVIEWABLE_SOURCES } from "../../../shared/catalog";

const reviewableSources = sql.join(
  REVIEWABLE_SOURCES.map((s) => sql`${s}`),
  sql`, `,
);

/**
 * SQL: the user holds an entitlement to the item that makes them a buyer (free, purchase or
 * subscription), active and not expired at `now`. Written as a condition so that statements in a
 * batch decide on the state at the moment they run, not on an earlier read.
 */
export function holdsReviewableEntitlement(itemId: string, userId: string, now: number): SQL {
  return sql`EXISTS (SELECT 1 FROM entitlements e WHERE e.item_id = ${itemId} AND e.user_id = ${userId}
    AND e.status = 'active' AND e.source IN (${reviewableSources}) AND (e.expires_at IS NULL OR e.expires_at > ${now}))`;
}

/**
 * SQL: the user has no effective entitlement to the item from `source`, and a claim would land
 * on entitlement `id` (the row read before, or the one the claim inserts). Asked before the claim
 * in its batch, it says whether the claim grants access or only repeats one.
 */
export function claimWouldGrant(target: { userId: string; itemId: string; source: string }, id: string, now: number): SQL {
  return sql`NOT EXISTS (SELECT 1 FROM entitlements e WHERE e.user_id = ${target.userId} AND e.item_id = ${target.itemId} AND e.source = ${target.source}
    AND (e.id <> ${id} OR (e.status = 'active' AND (e.expires_at IS NULL OR e.expires_at > ${now}))))`;
}

/** SQL: entitlement `id` is still `active` (lapsed by `now` too, if given): ending it is a change. */
export function entitlementIsActive(id: string, lapsedBy?: number): SQL {
  const lapsed = lapsedBy === undefined ? sql`` : sql` AND e.expires_at < ${lapsedBy}`;
  return sql`EXISTS (SELECT 1 FROM entitlements e WHERE e.id = ${id} AND e.status = 'active'${lapsed})`;
}
