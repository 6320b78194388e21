import { type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { REVIEWABLE_SOURCES } from "../../../shared/catalog";
import { subquery } from "../db/subquery";
import { entitlements } from "./tables";

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
 * SQL: the user holds an entitlement to the item from any source, active and not expired at `now`
 * (what installing an item into a project needs). Ids or columns, so a query can ask it per row.
 */
export function holdsActiveEntitlement(itemId: SQLWrapper | string, userId: SQLWrapper | string, now: number): SQL<number> {
  return subquery(sql`EXISTS (SELECT 1 FROM entitlements e WHERE e.item_id = ${itemId} AND e.user_id = ${userId}
    AND e.status = 'active' AND (e.expires_at IS NULL OR e.expires_at > ${now}))`);
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

/** SQL: the id of the user's entitlement to the item from `source` (one row per user, item and source). */
export const entitlementIdSql = (target: { userId: string; itemId: string; source: string }) =>
  sql<string>`(SELECT ${entitlements.id} FROM ${entitlements} WHERE ${entitlements.userId} = ${target.userId} AND ${entitlements.itemId} = ${target.itemId} AND ${entitlements.source} = ${target.source})`;

/** SQL: the expiry of entitlement `id` (a column or a value); null when it does not expire. */
export const entitlementExpiresAtSql = (id: SQLWrapper | string) =>
  sql<number | null>`(SELECT e.expires_at FROM entitlements e WHERE e.id = ${id})`;

/** SQL: entitlement `id` (a column or a value) is active and not expired at `now`. */
export const entitlementEffectiveSql = (id: SQLWrapper | string, now: number) =>
  sql`EXISTS (SELECT 1 FROM entitlements e WHERE e.id = ${id} AND e.status = 'active' AND (e.expires_at IS NULL OR e.expires_at > ${now}))`;
