import { sql } from "drizzle-orm";
import { inScope, type RollupScope, utcDaySql } from "../db/rollups";
import { checkouts as c } from "./tables";

/** The daily rollups' checkouts: started by the day the session was made, completed by the day it completed. */
export const checkoutRollupSql = (scope?: RollupScope) => sql`
  SELECT org_id, item_id, day, sum(started) AS checkouts_started, sum(completed) AS checkouts_completed FROM (
    SELECT ${c.orgId} AS org_id, ${c.itemId} AS item_id, ${utcDaySql(c.createdAt)} AS day, 1 AS started, 0 AS completed
    FROM ${c} WHERE ${inScope(scope, { orgId: c.orgId, itemId: c.itemId, at: c.createdAt })}
    UNION ALL
    SELECT ${c.orgId}, ${c.itemId}, ${utcDaySql(c.completedAt)}, 0, 1
    FROM ${c} WHERE ${c.status} = 'complete' AND ${c.completedAt} IS NOT NULL
      AND ${inScope(scope, { orgId: c.orgId, itemId: c.itemId, at: c.completedAt })}
  ) GROUP BY 1, 2, 3`;
