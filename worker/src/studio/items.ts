import type { AuthorItemT, ItemT } from "../../../shared/catalog";
import { listAuthorItems } from "../catalog";
import type { Ctx } from "../context";
import { itemSalesSince } from "../orders";

const SALES_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

/** The studio's item list: catalog's items of the org with orders' sales of the last 30 days. */
export async function studioItems(ctx: Ctx, { orgId, status }: { orgId: string; status?: ItemT["status"] }): Promise<AuthorItemT[]> {
  const [list, sales] = await Promise.all([
    listAuthorItems(ctx, { orgId, status }),
    itemSalesSince(ctx.db, { orgId, since: Date.now() - SALES_WINDOW_MS }),
  ]);
  return list.map((item) => ({ ...item, salesLast30Days: sales.get(item.id) ?? 0 }));
}
