import { sql } from "drizzle-orm";
import { orderItems } from "./tables";

/** Which org and item each order is of, for the ledger's rollup (`ledgerRollupSql`). */
export const orderLinesSql = () =>
  sql`SELECT ${orderItems.orderId} AS order_id, ${orderItems.orgId} AS org_id, ${orderItems.itemId} AS item_id FROM ${orderItems}`;
