import { ItemSlug, type ItemT, type ReviewT, type VersionT } from "../../../shared/catalog";
import { findItemBySlug, findVisibleItemBySlug, listPublishedItemsOfOrg, listVersions, searchItems, toItem } from "../catalog";
import { checkoutStatus } from "../checkout";
import { isDisconnected } from "../connect";
import type { Ctx } from "../context";
import { AppError } from "../http/errors";
import { findOrgBySlug } from "../orgs";
import { listReviews } from "../reviews";
import { bayesianRating, formatMoney, formatPrice } from "./format";

/** Reads behind the storefront pages. Listings reuse catalog search, so they rank the same way. */

export const HOME_SECTION_SIZE = 8;
/** Featured is picked from this many of the most downloaded items. */
const FEATURED_POOL = 50;
const REVIEWS_ON_ITEM_PAGE = 10;
const AUTHOR_PAGE_LIMIT = 100;

/**
 * Featured: popular *and* well liked. Among the most downloaded items, order by Bayesian rating ×
 * log10(downloads + 10), so ten times the downloads weighs about as much as one extra star, and a
 * new item with no downloads still ranks by rating alone (log10(10) = 1).
 */
export function pickFeatured(candidates: ItemT[], size = HOME_SECTION_SIZE): ItemT[] {
  const score = (item: ItemT) => bayesianRating(item) * Math.log10(item.downloads + 10);
  return [...candidates].sort((a, b) => score(b) - score(a)).slice(0, size);
}

export async function loadHome(ctx: Ctx) {
  const [popular, newest, topRated] = await Promise.all([
    searchItems(ctx, { sort: "downloads", limit: FEATURED_POOL }),
    searchItems(ctx, { sort: "newest", limit: HOME_SECTION_SIZE }),
    searchItems(ctx, { sort: "rating", limit: HOME_SECTION_SIZE }),
  ]);
  return { featured: pickFeatured(popular.data), newest: newest.data, topRated: topRated.data };
}

export interface ItemPageData {
  item: ItemT;
  versions: VersionT[];
  reviews: ReviewT[];
  moreReviews: boolean;
  /** A paid item whose author disconnected Stripe: shown, but not for sale right now. */
  offSale: boolean;
}

/** A published or unlisted item with its installable versions and first page of reviews; throws not_found. */
export async function loadItemPage(ctx: Ctx, slug: string): Promise<ItemPageData> {
  const { item, org } = await findVisibleItemBySlug(ctx.db, slug);
  const [versions, reviews, disconnected] = await Promise.all([
    listVersions(ctx.db, item.id, { includeYanked: false }),
    listReviews(ctx, { slug, limit: REVIEWS_ON_ITEM_PAGE }),
    isDisconnected(ctx.db, item.orgId),
  ]);
  const shown = toItem(item, org);
  return {
    item: shown,
    versions,
    reviews: reviews.data,
    moreReviews: reviews.nextCursor !== null,
    offSale: disconnected && shown.pricing.model !== "free",
  };
}

/** An org's published items, most downloaded first; undefined for an unknown org. */
export async function loadAuthorPage(ctx: Ctx, orgSlug: string) {
  const org = await findOrgBySlug(ctx.db, orgSlug);
  if (!org) return undefined;
  const items = await listPublishedItemsOfOrg(ctx.db, org, AUTHOR_PAGE_LIMIT);
  return { org: { slug: org.slug, name: org.name, createdAt: org.createdAt }, items };
}

/**
 * The success page's checkout (throws not_found) and its price as the item page shows it: a
 * subscription reads "$9.00 / month", while the amount itself is always the checkout's own.
 */
export async function loadCheckoutPage(ctx: Ctx, checkoutId: string) {
  const checkout = await checkoutStatus(ctx, checkoutId);
  const pricing = (await findItemBySlug(ctx.db, checkout.itemSlug))?.pricing;
  const recurring =
    pricing &&
    pricing.model !== "free" &&
    pricing.model !== "one_time" &&
    pricing.amount === checkout.amount &&
    pricing.currency === checkout.currency;
  return { checkout, price: recurring ? formatPrice(pricing) : formatMoney(checkout.amount, checkout.currency) };
}

/** The item a canceled checkout was for, if it is still on the storefront. */
export async function loadCanceledItem(ctx: Ctx, slug: string | undefined) {
  if (!slug || !ItemSlug.safeParse(slug).success) return undefined;
  try {
    const { item } = await findVisibleItemBySlug(ctx.db, slug);
    return { slug: item.slug, name: item.name };
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") return undefined;
    throw err;
  }
}
