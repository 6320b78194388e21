import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { ManifestT } from "../../../shared/manifest";
import { orgs } from "../orgs/tables";

/** What an upload becomes once complete: a version of an item, an asset of a project, or an item's icon or screenshot. */
export type UploadTarget =
  | {
      kind: "bundle";
      itemId: string;
      input: { version: string; channel: "stable" | "beta"; changelog: string; manifest: ManifestT; sha256: string };
    }
  | { kind: "asset"; projectId: string; name: string; contentType?: string }
  | { kind: "item-image"; itemId: string; role: "icon" | "screenshot"; contentType: string };

/** A part of the R2 multipart upload, as `R2MultipartUpload.complete` wants it back. */
export interface StoredPart {
  partNumber: number;
  etag: string;
}

/**
 * A resumable (tus) upload: one R2 multipart upload at `r2_key`, whose parts are all PART_SIZE
 * bytes except the last. `offset` counts the bytes stored: the parts plus the bytes not yet filling
 * one, kept as the temporary object `pending_key`. A PATCH holds `lock_token` until `locked_until`
 * (the guarded claim that serialises PATCHes), and every write it makes is guarded by that token.
 */
export const tusUploads = sqliteTable(
  "tus_uploads",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    /** Only its creator may see or continue it (anyone else gets 404). */
    createdBy: text("created_by").notNull(),
    kind: text("kind", { enum: ["bundle", "asset", "item-image"] }).notNull(),
    /** What the bytes become on completion (a version of an item, an asset of a project, an item's image). */
    target: text("target", { mode: "json" }).$type<UploadTarget>().notNull(),
    /** `Upload-Metadata` as sent, echoed by HEAD. */
    metadata: text("metadata").notNull(),
    /** The SHA-256 (hex) the file must have; null for an asset whose client declared none. */
    sha256: text("sha256"),
    length: integer("length").notNull(),
    offset: integer("offset").notNull(),
    r2Key: text("r2_key").notNull(),
    multipartId: text("multipart_id").notNull(),
    parts: text("parts", { mode: "json" }).$type<StoredPart[]>().notNull(),
    pendingKey: text("pending_key"),
    pendingSize: integer("pending_size").notNull(),
    lockToken: text("lock_token"),
    lockedUntil: integer("locked_until"),
    /**
     * `receiving` until the last byte is stored, then `verifying` (queued: the digest is checked and the
     * file adopted off the request) until `complete` or `failed`. While verifying, `locked_until` is
     * when it counts as stalled: the time its message has to be picked up, then the consumer's lease.
     */
    state: text("state", { enum: ["receiving", "verifying", "complete", "failed"] }).notNull(),
    /** Why a failed upload failed (its bytes are deleted). */
    failure: text("failure"),
    /** What the completed upload became: `{ versionId }`, `{ asset }` or `{ itemId, role, url }`. */
    result: text("result", { mode: "json" }).$type<Record<string, unknown>>(),
    createdAt: integer("created_at").notNull(),
    /** Each PATCH moves it on; past it the upload is refused (410) and the maintenance job frees it. */
    expiresAt: integer("expires_at").notNull(),
    completedAt: integer("completed_at"),
  },
  (t) => [index("tus_uploads_expires_idx").on(t.expiresAt), index("tus_uploads_org_idx").on(t.orgId, t.state)],
);
