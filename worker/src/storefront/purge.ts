import { itemRefsById, listPublishedItemsOfOrg } from "../catalog";
import type { EventHandlers } from "../context";
import type { Env } from "../env";
import { edgeCache, edgeCacheKey } from "../http/edge-cache";
import { findOrg } from "../orgs";

export interface StorefrontTargets {
  itemSlugs?: readonly string[];
  orgSlug?: string;
}

/**
 * Deletes the cached pages that show items or an org: the home page (its sections list items
 * from every org), the item pages and the author page. Awaited, so the next request is fresh.
 * Searches and `?version=` variants are not enumerable; they expire on their short TTL.
 */
export async function purgeStorefront(env: Pick<Env, "APP_URL">, targets: StorefrontTargets): Promise<void> {
  const paths = ["/"];
  for (const slug of new Set(targets.itemSlugs)) paths.push(`/items/${encodeURIComponent(slug)}`);
  if (targets.orgSlug) paths.push(`/authors/${encodeURIComponent(targets.orgSlug)}`);
  await Promise.all(paths.map((path) => edgeCache().delete(edgeCacheKey(env, path))));
}

/** Whatever the public sees of an item changed (catalog, reviews, moderation): its pages are purged. */
export const storefrontEvents: EventHandlers = {
  "catalog.changed": async (ctx, { orgId, itemIds = [], slugs = [] }) => {
    const [org, items] = await Promise.all([findOrg(ctx.db, orgId), itemRefsById(ctx.db, itemIds)]);
    await purgeStorefront(ctx.env, { itemSlugs: [...slugs, ...[...items.values()].map((i) => i.slug)], orgSlug: org?.slug });
    return undefined;
  },
  /** The org's paid items went off sale or came back: every page showing its items is purged. */
  "connect.sale_changed": async (ctx, { orgId }) => {
    const org = await findOrg(ctx.db, orgId);
    if (!org) return undefined;
    const items = await listPublishedItemsOfOrg(ctx.db, org, STOREFRONT_ITEMS_PER_ORG);
    await purgeStorefront(ctx.env, { itemSlugs: items.map((i) => i.slug), orgSlug: org.slug });
    return undefined;
  },
};

/** An org's published items purged at once; an author page lists at most this many too. */
const STOREFRONT_ITEMS_PER_ORG = 100;
