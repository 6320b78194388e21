import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { MediaPurpose, MediaState } from "../../../shared/media";
import { orgs } from "../orgs/tables";

/** A processed size of an image, stored at `key` (`media/<mediaId>/w<width>.webp`). */
export interface StoredVariant {
  width: number;
  height: number;
  key: string;
  size: number;
}

/**
 * Every file people upload and see (item icons and screenshots, project assets): its original at
 * `key` in R2, where it is in its lifecycle, and for images the WebP variants and placeholder made
 * of it. Bundles are not media: they are content-addressed and shared across versions.
 */
export const media = sqliteTable(
  "media",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    /** The R2 key of the original. */
    key: text("key").notNull().unique(),
    purpose: text("purpose").$type<MediaPurpose>().notNull(),
    contentType: text("content_type").notNull(),
    size: integer("size").notNull(),
    sha256: text("sha256"),
    state: text("state").$type<MediaState>().notNull(),
    /** Why it failed, in words for its author. */
    failure: text("failure"),
    /** Upright (EXIF orientation applied), once processed. */
    width: integer("width"),
    height: integer("height"),
    variants: text("variants", { mode: "json" }).$type<StoredVariant[]>().notNull(),
    /** `data:image/webp;base64,…`: a 16 px wide WebP. */
    placeholder: text("placeholder"),
    /** Processing attempts (claims) so far. */
    attempts: integer("attempts").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  // The stalled-media job looks for rows left `uploaded`/`processing`.
  (t) => [index("media_state_updated_idx").on(t.state, t.updatedAt), index("media_org_idx").on(t.orgId)],
);
