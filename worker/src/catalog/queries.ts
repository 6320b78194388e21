import { and, desc, eq, getTableColumns, inArray, type SQL } from "drizzle-orm";
import type { ItemT } from "../../../shared/catalog";
import type { Ctx } from "../context";
import type { Db } from "../db/client";
import { AppError } from "../http/errors";
import { type MediaInfo, mediaImageSql, mediaImagesSql, toMediaImage } from "../media";
import { orgNameSql, orgSlugSql } from "../orgs";
import { items } from "./tables";

export type ItemRow = typeof items.$inferSelect;
/** An item's row with the media rows of its icon and screenshots, read in the same statement (`itemColumns`). */
export type ItemWithMedia = ItemRow & { iconMedia: MediaInfo | null; screenshotMedia: MediaInfo[] };

/** Every column of an item plus its images' media rows, for a select that feeds `toItem`. */
export const itemColumns = {
  ...getTableColumns(items),
  iconMedia: mediaImageSql(items.iconKey),
  screenshotMedia: mediaImagesSql(items.screenshotKeys),
};
/** What an item's page shows of its org. */
export interface OrgRef {
  slug: string;
  name: string;
}

/** Statuses anyone may open by direct link; only `published` is listed and searchable. */
export const VISIBLE_STATUSES = ["published", "unlisted"] as const;

/**
 * Bayesian average (Open VSX-style): C pseudo-reviews at the prior mean, so one 5-star review does
 * not outrank a hundred 4.8s. Shared by sorting and display.
 */
export const RATING_PRIOR = { count: 5, mean: 3.5 } as const;

export function assetUrl(key: string | null): string | null {
  return key ? `/media/${key}` : null;
}

export function toItem(row: ItemWithMedia, org: OrgRef): ItemT {
  const media = new Map([...(row.iconMedia ? [row.iconMedia] : []), ...row.screenshotMedia].map((m) => [m.key, m]));
  return {
    id: row.id,
    orgId: row.orgId,
    orgSlug: org.slug,
    orgName: org.name,
    slug: row.slug,
    name: row.name,
    summary: row.summary,
    description: row.description,
    category: row.category,
    tags: row.tags ? row.tags.split(" ") : [],
    pricing: row.pricing,
    status: row.status,
    iconUrl: assetUrl(row.iconKey),
    screenshotUrls: row.screenshotKeys.map((k) => assetUrl(k)!),
    icon: row.iconKey ? toMediaImage(media.get(row.iconKey), assetUrl(row.iconKey)!) : null,
    screenshots: row.screenshotKeys.map((k) => toMediaImage(media.get(k), assetUrl(k)!)),
    reviewCount: row.reviewCount,
    ratingAverage: row.reviewCount > 0 ? Math.round((row.ratingSum / row.reviewCount) * 100) / 100 : null,
    downloads: row.downloads,
    latestVersion: row.latestVersion,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    publishedAt: row.publishedAt,
  };
}

/** Items with their images' media rows and their org's slug and name, in one statement. */
const itemsWithOrg = (db: Db, where: SQL | undefined, limit: number) =>
  db
    .select({ item: itemColumns, org: { slug: orgSlugSql(items.orgId), name: orgNameSql(items.orgId) } })
    .from(items)
    .where(where)
    .limit(limit);

/** D1 binds at most 100 parameters per statement. */
const IDS_PER_QUERY = 100;

/** The items among `itemIds` that exist, in any status, by id. */
export async function itemsById(db: Db, itemIds: readonly string[]): Promise<Map<string, ItemRow>> {
  const unique = [...new Set(itemIds)];
  const found = new Map<string, ItemRow>();
  for (let i = 0; i < unique.length; i += IDS_PER_QUERY) {
    const rows = await db
      .select()
      .from(items)
      .where(inArray(items.id, unique.slice(i, i + IDS_PER_QUERY)));
    for (const row of rows) found.set(row.id, row);
  }
  return found;
}

/** An item in any status with its org, by id; undefined if there is none. */
export async function findItem(db: Db, itemId: string): Promise<{ item: ItemWithMedia; org: OrgRef } | undefined> {
  const [found] = await itemsWithOrg(db, eq(items.id, itemId), 1);
  return found;
}

/** An item the public may see (published or unlisted), by slug; 404 otherwise. */
export async function findVisibleItemBySlug(db: Db, slug: string) {
  const [found] = await itemsWithOrg(db, and(eq(items.slug, slug), inArray(items.status, [...VISIBLE_STATUSES])), 1);
  if (!found) throw new AppError("not_found", "Item not found");
  return found;
}

/** `GET /v1/items/{slug}`: a published or unlisted item as the API shows it. */
export async function getVisibleItem(ctx: Ctx, { slug }: { slug: string }): Promise<ItemT> {
  const { item, org } = await findVisibleItemBySlug(ctx.db, slug);
  return toItem(item, org);
}

/** An org's own item, in any status, for its members; 404 for anyone else's. */
export async function findOrgItem(db: Db, orgId: string, itemId: string) {
  const [found] = await itemsWithOrg(db, and(eq(items.id, itemId), eq(items.orgId, orgId)), 1);
  if (!found) throw new AppError("not_found", "Item not found");
  return found;
}

/** An org's published items, most downloaded first (its author page). */
export async function listPublishedItemsOfOrg(db: Db, org: OrgRef & { id: string }, limit: number): Promise<ItemT[]> {
  const rows = await db
    .select(itemColumns)
    .from(items)
    .where(and(eq(items.orgId, org.id), eq(items.status, "published")))
    .orderBy(desc(items.downloads))
    .limit(limit);
  return rows.map((row) => toItem(row, org));
}
