/** The downloads domain's tables. db/schema.ts lists every domain's for drizzle and drizzle-kit. */
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { items, versions } from "../catalog/tables";

/**
 * The server side of a signed download link, keyed by the token's id (its nonce). The link itself
 * is never stored: it is an HMAC over (key id, token id, entitlement, version, expiry) with a
 * DOWNLOAD_TOKEN_KEYS key. `uses` only rises through a guarded UPDATE (`uses < max_uses`), so
 * concurrent clicks never exceed the limit. Purged a day after it expired or was used up.
 */
export const downloadTokens = sqliteTable(
  "download_tokens",
  {
    id: text("id").primaryKey(),
    /** The DOWNLOAD_TOKEN_KEYS entry that signed it (a key may be dropped once none is live). */
    keyId: text("key_id").notNull(),
    orgId: text("org_id").notNull(),
    itemId: text("item_id")
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    versionId: text("version_id")
      .notNull()
      .references(() => versions.id, { onDelete: "cascade" }),
    entitlementId: text("entitlement_id").notNull(),
    userId: text("user_id").notNull(),
    uses: integer("uses").notNull().default(0),
    maxUses: integer("max_uses").notNull(),
    expiresAt: integer("expires_at").notNull(),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [
    index("download_tokens_expires_idx").on(t.expiresAt),
    index("download_tokens_spent_idx").on(t.lastUsedAt).where(sql`uses >= max_uses`),
  ],
);

/**
 * Append-only log of downloads: one row per request that sent bytes (a whole bundle or a range),
 * written in the same batch that spends a use of the link. The per-buyer daily limit counts these
 * rows, and a row for a version means its buyer "had" it should it be yanked later. The counted
 * ones reach `items.downloads` and the daily rollups later, through the tally job (tally.ts).
 */
export const downloads = sqliteTable(
  "downloads",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    itemId: text("item_id")
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    versionId: text("version_id").notNull(),
    userId: text("user_id").notNull(),
    entitlementId: text("entitlement_id").notNull(),
    tokenId: text("token_id").notNull(),
    /** First byte sent; 0 for the whole bundle. */
    rangeStart: integer("range_start").notNull(),
    bytes: integer("bytes").notNull(),
    /** Counted in `items.downloads`: a whole bundle or a range from byte 0, not a resumed one. */
    counted: integer("counted", { mode: "boolean" }).notNull(),
    createdAt: integer("created_at").notNull(),
    /**
     * Commit order: one more than the largest seq so far (or the tally's position, if larger), taken
     * inside the recording batch, which D1 runs one at a time. Null for rows written before the
     * tally (already in `items.downloads`) and by seeds, which set the totals themselves.
     */
    seq: integer("seq"),
  },
  (t) => [
    index("downloads_user_item_idx").on(t.userId, t.itemId, t.createdAt),
    index("downloads_user_version_idx").on(t.userId, t.versionId),
    index("downloads_item_idx").on(t.itemId, t.createdAt),
    index("downloads_seq_idx").on(t.seq),
  ],
);

/**
 * How far the tally job has added downloads into `items.downloads`: every row with `seq` up to
 * `seq` is in the totals, none after. Moved in the same batch as the totals it adds (tally.ts).
 */
export const downloadTally = sqliteTable("download_tally", {
  /** One row, "items". */
  id: text("id").primaryKey(),
  seq: integer("seq").notNull(),
  updatedAt: integer("updated_at").notNull(),
});
