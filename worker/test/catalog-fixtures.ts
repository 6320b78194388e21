import { env } from "cloudflare:workers";
import type { BatchItem } from "drizzle-orm/batch";
import type { PricingT } from "../../shared/catalog";
import { newId } from "../src/crypto/random";
import { createDb } from "../src/db/client";
import { items, itemTags } from "../src/db/schema";

let counter = 0;

export interface ItemOverrides {
  slug?: string;
  name?: string;
  summary?: string;
  description?: string;
  category?: (typeof items.$inferInsert)["category"];
  tags?: string[];
  pricing?: PricingT;
  status?: "draft" | "published" | "unlisted" | "removed";
  latestVersion?: string | null;
  latestEngineRange?: string | null;
  downloads?: number;
}

/**
 * Inserts an item straight into D1, for tests of what builds on items (entitlements, reviews,
 * search ranking). Tests of creating items go through the API instead.
 */
export async function insertItem(orgId: string, overrides: ItemOverrides = {}) {
  const db = createDb(env.DB);
  const now = Date.now();
  const tags = overrides.tags ?? [];
  const pricing = overrides.pricing ?? { model: "free" };
  const row = {
    id: newId("item"),
    orgId,
    slug: overrides.slug ?? `item-${now.toString(36)}-${++counter}`,
    name: overrides.name ?? `Item ${counter}`,
    summary: overrides.summary ?? "A test item",
    description: overrides.description ?? "",
    category: overrides.category ?? "productivity",
    tags: tags.join(" "),
    pricing,
    isFree: pricing.model === "free",
    status: overrides.status ?? "published",
    screenshotKeys: [],
    downloads: overrides.downloads ?? 0,
    latestVersion: overrides.latestVersion ?? null,
    latestEngineRange: overrides.latestEngineRange ?? null,
    createdAt: now,
    updatedAt: now,
    publishedAt: (overrides.status ?? "published") === "published" ? now : null,
  };
  await db.batch([db.insert(items).values(row), ...tags.map((tag) => db.insert(itemTags).values({ itemId: row.id, tag }))] as [
    BatchItem<"sqlite">,
    ...BatchItem<"sqlite">[],
  ]);
  return row;
}

/** An item's rating aggregate as stored: [review_count, rating_sum]. */
export async function ratingAggregate(itemId: string) {
  const row = await env.DB.prepare("SELECT review_count, rating_sum FROM items WHERE id = ?")
    .bind(itemId)
    .first<{ review_count: number; rating_sum: number }>();
  return [row!.review_count, row!.rating_sum];
}
