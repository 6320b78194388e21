import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { CATEGORIES, PricingT } from "../../../shared/catalog";
import type { ManifestT } from "../../../shared/manifest";
import { orgs } from "../orgs/tables";

/**
 * Items for sale. `seq` is an integer key only so the FTS5 index (items_fts, kept in sync by
 * triggers in migrations/) can use it as its rowid; everything else refers to `id`.
 */
export const items = sqliteTable(
  "items",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull().unique(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    slug: text("slug").notNull().unique(),
    name: text("name").notNull(),
    summary: text("summary").notNull(),
    description: text("description").notNull(),
    category: text("category").$type<(typeof CATEGORIES)[number]>().notNull(),
    /** Space-separated, so FTS tokenizes it; `item_tags` is the filterable copy. */
    tags: text("tags").notNull(),
    pricing: text("pricing", { mode: "json" }).$type<PricingT>().notNull(),
    /** Denormalised from `pricing` for the free/paid filter. */
    isFree: integer("is_free", { mode: "boolean" }).notNull(),
    status: text("status", { enum: ["draft", "published", "unlisted", "removed"] }).notNull(),
    moderationReason: text("moderation_reason"),
    iconKey: text("icon_key"),
    screenshotKeys: text("screenshot_keys", { mode: "json" }).$type<string[]>().notNull(),
    reviewCount: integer("review_count").notNull().default(0),
    ratingSum: integer("rating_sum").notNull().default(0),
    downloads: integer("downloads").notNull().default(0),
    /** Newest non-yanked stable version and its engine range, for listing and the engine filter. */
    latestVersion: text("latest_version"),
    latestEngineRange: text("latest_engine_range"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    publishedAt: integer("published_at"),
  },
  (t) => [
    index("items_org_idx").on(t.orgId),
    index("items_status_published_idx").on(t.status, t.publishedAt),
    index("items_status_downloads_idx").on(t.status, t.downloads),
    index("items_category_idx").on(t.category, t.status),
  ],
);

export const itemTags = sqliteTable(
  "item_tags",
  {
    itemId: text("item_id")
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    tag: text("tag").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tag, t.itemId] }), index("item_tags_item_idx").on(t.itemId)],
);

export const versions = sqliteTable(
  "versions",
  {
    id: text("id").primaryKey(),
    itemId: text("item_id")
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    orgId: text("org_id").notNull(),
    version: text("version").notNull(),
    channel: text("channel", { enum: ["stable", "beta"] }).notNull(),
    changelog: text("changelog").notNull(),
    manifest: text("manifest", { mode: "json" }).$type<ManifestT>().notNull(),
    engineRange: text("engine_range").notNull(),
    bundleKey: text("bundle_key").notNull(),
    bundleSha256: text("bundle_sha256").notNull(),
    bundleSize: integer("bundle_size").notNull(),
    publishedBy: text("published_by").notNull(),
    createdAt: integer("created_at").notNull(),
    yankedAt: integer("yanked_at"),
  },
  // By bundle too: whether a content-addressed bundle is still used (deleting a version, the orphan sweep).
  (t) => [uniqueIndex("versions_item_version_idx").on(t.itemId, t.version), index("versions_bundle_key_idx").on(t.bundleKey)],
);

/**
 * A version being published: metadata validated up front, bytes PUT next. Only a complete upload
 * becomes a version row; stale ones are purged by maintenance, so nothing partial is ever listed.
 */
export const uploads = sqliteTable(
  "uploads",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    itemId: text("item_id")
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    version: text("version").notNull(),
    channel: text("channel", { enum: ["stable", "beta"] }).notNull(),
    changelog: text("changelog").notNull(),
    manifest: text("manifest", { mode: "json" }).$type<ManifestT>().notNull(),
    sha256: text("sha256").notNull(),
    size: integer("size").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    completedAt: integer("completed_at"),
  },
  (t) => [index("uploads_expires_idx").on(t.expiresAt)],
);
