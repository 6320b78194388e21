import type { AuthorItemT, ItemT } from "../../../shared/catalog";
import { listAuthorItems } from "../catalog";
import type { Ctx } from "../context";
import { notFound } from "../http/errors";
import { itemSalesSince } from "../orders";

const SALES_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

/** The studio's item list: catalog's items of the org with orders' sales of the last 30 days. */
export async function studioItems(
  ctx: Ctx,
  { orgId, status, itemId }: { orgId: string; status?: ItemT["status"]; itemId?: string },
): Promise<AuthorItemT[]> {
  const [list, sales] = await Promise.all([
    listAuthorItems(ctx, { orgId, status, itemId }),
    itemSalesSince(ctx.db, { orgId, since: Date.now() - SALES_WINDOW_MS }),
  ]);
  return list.map((item) => ({ ...item, salesLast30Days: sales.get(item.id) ?? 0 }));
}

/** One of the org's items as the studio shows it; 404 for anyone else's. */
export async function studioItem(ctx: Ctx, { orgId, itemId }: { orgId: string; itemId: string }): Promise<AuthorItemT> {
  const [item] = await studioItems(ctx, { orgId, itemId });
  if (!item) throw notFound("Item");
  return item;
}
