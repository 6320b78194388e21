import { sql } from "drizzle-orm";
import { inScope, type RollupScope, utcDaySql } from "../db/rollups";
import { downloads } from "./tables";

/** The daily rollups' downloads: the ones `items.downloads` counts (a whole bundle, or a range from byte 0). */
export const downloadRollupSql = (scope?: RollupScope) => sql`
  SELECT ${downloads.orgId} AS org_id, ${downloads.itemId} AS item_id, ${utcDaySql(downloads.createdAt)} AS day, count(*) AS downloads
  FROM ${downloads}
  WHERE ${downloads.counted} = 1 AND ${inScope(scope, { orgId: downloads.orgId, itemId: downloads.itemId, at: downloads.createdAt })}
  GROUP BY 1, 2, 3`;
