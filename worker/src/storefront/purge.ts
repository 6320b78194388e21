import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { items, orgs } from "../db/schema";
import type { Env } from "../env";
import { edgeCache, edgeCacheKey } from "../http/edge-cache";

export interface StorefrontTargets {
  itemSlug?: string;
  orgSlug?: string;
}

/**
 * Deletes the cached pages that show an item or an org: the home page (its sections list items
 * from every org), the item page and the author page. Awaited, so the next request is fresh.
 * Searches and `?version=` variants are not enumerable; they expire on their short TTL.
 */
export async function purgeStorefront(env: Pick<Env, "APP_URL">, targets: StorefrontTargets): Promise<void> {
  const paths = ["/"];
  if (targets.itemSlug) paths.push(`/items/${encodeURIComponent(targets.itemSlug)}`);
  if (targets.orgSlug) paths.push(`/authors/${encodeURIComponent(targets.orgSlug)}`);
  await Promise.all(paths.map((path) => edgeCache().delete(edgeCacheKey(env, path))));
}

/** `purgeStorefront` for callers that know the item only by id or slug (versions, media, reviews). */
export async function purgeStorefrontForItem(env: Pick<Env, "APP_URL">, db: Db, ref: { id: string } | { slug: string }): Promise<void> {
  const [found] = await db
    .select({ itemSlug: items.slug, orgSlug: orgs.slug })
    .from(items)
    .innerJoin(orgs, eq(orgs.id, items.orgId))
    .where("id" in ref ? eq(items.id, ref.id) : eq(items.slug, ref.slug))
    .limit(1);
  if (found) await purgeStorefront(env, found);
}
