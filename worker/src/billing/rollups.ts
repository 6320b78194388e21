import { sql } from "drizzle-orm";
import { inScope, type RollupScope, utcDaySql } from "../db/rollups";
import { subscriptions as s } from "./tables";

/** A subscription's plan as monthly revenue, in minor units (a yearly plan's twelfth, rounded). */
const monthly = sql`coalesce(CASE ${s.interval} WHEN 'month' THEN ${s.amount} WHEN 'year' THEN round(${s.amount} / 12.0)
  WHEN 'week' THEN round(${s.amount} * 52 / 12.0) WHEN 'day' THEN round(${s.amount} * 365 / 12.0) END, 0)`;

/** Statuses of a subscription that never started (its first payment never succeeded): counted nowhere. */
const NEVER_STARTED = sql`('incomplete', 'incomplete_expired')`;

/**
 * The daily rollups' subscriptions, from the mirror: new by the day it was created (adding its plan's
 * monthly amount to MRR), churned by the day it was last synced once ended (taking that amount off),
 * so the running sum of `mrr_change` is the MRR of the live ones at their current plans.
 */
export const subscriptionRollupSql = (scope?: RollupScope) => sql`
  SELECT org_id, item_id, day, sum(started) AS new_subscriptions, sum(ended) AS churned_subscriptions,
    CAST(sum(mrr) AS INTEGER) AS mrr_change FROM (
    SELECT ${s.orgId} AS org_id, ${s.itemId} AS item_id, ${utcDaySql(s.createdAt)} AS day, 1 AS started, 0 AS ended, ${monthly} AS mrr
    FROM ${s} WHERE ${s.status} NOT IN ${NEVER_STARTED} AND ${inScope(scope, { orgId: s.orgId, itemId: s.itemId, at: s.createdAt })}
    UNION ALL
    SELECT ${s.orgId}, ${s.itemId}, ${utcDaySql(s.updatedAt)}, 0, 1, -${monthly}
    FROM ${s} WHERE ${s.status} IN ('canceled', 'unpaid') AND ${inScope(scope, { orgId: s.orgId, itemId: s.itemId, at: s.updatedAt })}
  ) GROUP BY 1, 2, 3`;
