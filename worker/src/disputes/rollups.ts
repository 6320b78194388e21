import { sql } from "drizzle-orm";
import { inScope, type RollupScope, utcDaySql } from "../db/rollups";
import { disputes } from "./tables";

/** The daily rollups' dispute count: disputes by the day the cardholder opened them (Stripe's `created`). */
export const disputeRollupSql = (scope?: RollupScope) => sql`
  SELECT ${disputes.orgId} AS org_id, ${disputes.itemId} AS item_id, ${utcDaySql(disputes.createdAt)} AS day, count(*) AS disputes
  FROM ${disputes}
  WHERE ${disputes.itemId} IS NOT NULL AND ${inScope(scope, { orgId: disputes.orgId, itemId: disputes.itemId, at: disputes.createdAt })}
  GROUP BY 1, 2, 3`;
