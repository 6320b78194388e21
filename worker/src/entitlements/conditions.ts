import { sql, type SQL } from "drizzle-orm";
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
