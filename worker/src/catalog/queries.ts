import { and, eq, inArray } from "drizzle-orm";
import type { ItemT } from "../../../shared/catalog";
import type { Db } from "../db/client";
import { items, orgs } from "../db/schema";
import { AppError } from "../http/errors";

export type ItemRow = typeof items.$inferSelect;
type OrgRef = Pick<typeof orgs.$inferSelect, "slug" | "name">;

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

export function toItem(row: ItemRow, org: OrgRef): ItemT {
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
    reviewCount: row.reviewCount,
    ratingAverage: row.reviewCount > 0 ? Math.round((row.ratingSum / row.reviewCount) * 100) / 100 : null,
    downloads: row.downloads,
    latestVersion: row.latestVersion,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    publishedAt: row.publishedAt,
  };
}

/** An item the public may see (published or unlisted), by slug; 404 otherwise. */
export async function findVisibleItemBySlug(db: Db, slug: string) {
  const [found] = await db
    .select({ item: items, org: { slug: orgs.slug, name: orgs.name } })
    .from(items)
    .innerJoin(orgs, eq(orgs.id, items.orgId))
    .where(and(eq(items.slug, slug), inArray(items.status, [...VISIBLE_STATUSES])))
    .limit(1);
  if (!found) throw new AppError("not_found", "Item not found");
  return found;
}

/** An org's own item, in any status, for its members; 404 for anyone else's. */
export async function findOrgItem(db: Db, orgId: string, itemId: string) {
  const [found] = await db
    .select({ item: items, org: { slug: orgs.slug, name: orgs.name } })
    .from(items)
    .innerJoin(orgs, eq(orgs.id, items.orgId))
    .where(and(eq(items.id, itemId), eq(items.orgId, orgId)))
    .limit(1);
  if (!found) throw new AppError("not_found", "Item not found");
  return found;
}
