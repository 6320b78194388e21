import { type SQL, sql } from "drizzle-orm";
import { inScope, type RollupScope, utcDaySql } from "../db/rollups";
import { ledgerEntries as l } from "./tables";

/**
 * The money family of the daily rollups, from the author's account: gross sales (the sale entries,
 * tax apart), net (sales less fees, refunds and disputes, with their reversals; not tax, not payouts),
 * fees (the platform fee net of its refunds) and refunds (positive), by the item of each entry's order.
 * `orderLines` is a SELECT of `order_id, org_id, item_id` (orders' `orderLinesSql`).
 */
export const ledgerRollupSql = (orderLines: SQL, scope?: RollupScope) => sql`
  SELECT ol.org_id AS org_id, ol.item_id AS item_id, ${utcDaySql(l.createdAt)} AS day, max(${l.currency}) AS currency,
    coalesce(sum(CASE WHEN ${l.type} = 'sale' THEN ${l.amount} END), 0) AS gross_sales,
    coalesce(sum(${l.amount}), 0) AS net_sales,
    coalesce(-sum(CASE WHEN ${l.type} IN ('platform_fee', 'fee_refund') THEN ${l.amount} END), 0) AS fees,
    coalesce(-sum(CASE WHEN ${l.type} = 'refund' THEN ${l.amount} END), 0) AS refunds
  FROM ${l} JOIN (${orderLines}) ol ON ol.order_id = ${l.orderId} AND ol.org_id = ${l.account}
  WHERE ${l.type} IN ('sale', 'platform_fee', 'refund', 'fee_refund', 'dispute', 'dispute_fee')
    AND ${inScope(scope, { orgId: l.account, itemId: sql`ol.item_id`, at: l.createdAt })}
  GROUP BY 1, 2, 3`;
