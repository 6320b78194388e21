import { sql } from "drizzle-orm";
import { inScope, type RollupScope, utcDaySql } from "../db/rollups";
import { licenses as l } from "./tables";

/** When a license ended: its revocation, or (expired) its last change, which the expiry job makes. */
const endedAt = sql`coalesce(${l.revokedAt}, ${l.updatedAt})`;

/**
 * The daily rollups' license change: +1 on the day a key was issued, −1 on the day it was revoked or
 * expired, so the running sum is the keys not ended (suspended and disputed ones included).
 */
export const licenseRollupSql = (scope?: RollupScope) => sql`
  SELECT org_id, item_id, day, sum(change) AS licenses_change FROM (
    SELECT ${l.orgId} AS org_id, ${l.itemId} AS item_id, ${utcDaySql(l.createdAt)} AS day, 1 AS change
    FROM ${l} WHERE ${inScope(scope, { orgId: l.orgId, itemId: l.itemId, at: l.createdAt })}
    UNION ALL
    SELECT ${l.orgId}, ${l.itemId}, ${utcDaySql(endedAt)}, -1
    FROM ${l} WHERE ${l.status} IN ('revoked', 'expired') AND ${inScope(scope, { orgId: l.orgId, itemId: l.itemId, at: endedAt })}
  ) GROUP BY 1, 2, 3`;
