/**
 * Media rows: registering a stored file, moving it along its lifecycle, discarding it with its
 * variants, and reading it (one row, many, or in place inside another domain's statement).
 */
import { and, eq, inArray, type SQLWrapper, sql } from "drizzle-orm";
import type { MediaImageT, MediaPurpose, MediaState } from "../../../shared/media";
import type { Ctx } from "../context";
import { newId } from "../crypto/random";
import { chunked } from "../db/chunked";
import type { Db } from "../db/client";
import { subquery } from "../db/subquery";
import type { Env } from "../env";
import { media, type StoredVariant } from "./tables";

export type MediaRow = typeof media.$inferSelect;

/** What readers need of a media row: its state and, once ready, its variants. */
export interface MediaInfo {
  key: string;
  state: MediaState;
  failure: string | null;
  width: number | null;
  height: number | null;
  placeholder: string | null;
  variants: StoredVariant[];
}

/** Image types the Images binding reads and Plaza turns into variants; any other project asset is stored as is. */
export const PROCESSED_IMAGE_TYPES: readonly string[] = ["image/png", "image/jpeg", "image/webp", "image/gif", "image/avif"];

const baseType = (contentType: string) => contentType.split(";")[0]!.trim().toLowerCase();

/** Item images always go through processing (it is what makes them servable); assets only when they are images. */
export const needsProcessing = (row: Pick<MediaRow, "purpose" | "contentType">) =>
  row.purpose !== "project-asset" || PROCESSED_IMAGE_TYPES.includes(baseType(row.contentType));

export async function findMedia(db: Db, key: string): Promise<MediaRow | undefined> {
  const [row] = await db.select().from(media).where(eq(media.key, key)).limit(1);
  return row;
}

export async function enqueueMedia({ env }: Pick<Ctx, "env">, mediaIds: readonly string[]) {
  for (const ids of chunked(mediaIds, 100)) await env.MEDIA_QUEUE.sendBatch(ids.map((mediaId) => ({ body: { mediaId } })));
}

/**
 * A row for the file stored (or being stored) at `key`. Registering the same key again keeps the
 * first row. `uploaded`: the bytes are all there, so it moves on at once (`mediaUploaded`).
 */
export async function registerMedia(
  ctx: Ctx,
  input: {
    orgId: string;
    key: string;
    purpose: MediaPurpose;
    contentType: string;
    size: number;
    sha256?: string | null;
    state: "pending" | "uploaded";
  },
): Promise<MediaRow> {
  const now = Date.now();
  await ctx.db
    .insert(media)
    .values({
      id: newId("media"),
      orgId: input.orgId,
      key: input.key,
      purpose: input.purpose,
      contentType: input.contentType,
      size: input.size,
      sha256: input.sha256 ?? null,
      state: "pending",
      variants: [],
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing({ target: media.key });
  if (input.state === "uploaded") {
    const moved = await mediaUploaded(ctx, { key: input.key, size: input.size, sha256: input.sha256 });
    if (moved) return moved;
  }
  return (await findMedia(ctx.db, input.key))!;
}

/**
 * All of the file's bytes are stored and checked: an image goes `uploaded` and is queued for
 * processing, anything else is `ready` at once. Only a `pending` row moves, so a repeat does nothing.
 */
export async function mediaUploaded(ctx: Ctx, { key, size, sha256 }: { key: string; size: number; sha256?: string | null }) {
  const row = await findMedia(ctx.db, key);
  if (row?.state !== "pending") return row;
  const state: MediaState = needsProcessing(row) ? "uploaded" : "ready";
  const [moved] = await ctx.db
    .update(media)
    .set({ state, size, ...(sha256 && { sha256 }), updatedAt: Date.now() })
    .where(and(eq(media.id, row.id), eq(media.state, "pending")))
    .returning();
  if (moved?.state === "uploaded") await enqueueMedia(ctx, [moved.id]);
  return moved ?? (await findMedia(ctx.db, key));
}

/** The file will never be usable (e.g. its upload's digest did not match): `failed` with the reason, unless it already ended. */
export async function mediaFailed(ctx: Ctx, { key, reason }: { key: string; reason: string }) {
  await ctx.db
    .update(media)
    .set({ state: "failed", failure: reason, updatedAt: Date.now() })
    .where(and(eq(media.key, key), inArray(media.state, ["pending", "uploaded", "processing"])));
}

/** Deletes the rows of `keys`, the originals at those keys (with or without a row) and every variant made of them. */
export async function discardMedia(ctx: Pick<Ctx, "db" | "env">, keys: readonly string[]) {
  const unique = [...new Set(keys)];
  for (const part of chunked(unique)) {
    const removed = await ctx.db.delete(media).where(inArray(media.key, part)).returning({ variants: media.variants });
    await deleteObjects(ctx.env, [...part, ...removed.flatMap((r) => r.variants.map((v) => v.key))]);
  }
}

/** R2 deletes at most 1000 keys per call. */
export async function deleteObjects(env: Env, keys: readonly string[]) {
  for (const part of chunked(keys, 1000)) await env.BUCKET.delete(part);
}

const infoColumns = {
  key: media.key,
  state: media.state,
  failure: media.failure,
  width: media.width,
  height: media.height,
  placeholder: media.placeholder,
  variants: media.variants,
};

export async function mediaByKeys(db: Db, keys: readonly string[]): Promise<Map<string, MediaInfo>> {
  const found = new Map<string, MediaInfo>();
  for (const part of chunked([...new Set(keys)])) {
    for (const row of await db.select(infoColumns).from(media).where(inArray(media.key, part))) found.set(row.key, row);
  }
  return found;
}

/** Of `keys`, those Plaza still refers to as media: originals with a row, and the variants of those rows (orphan sweep). */
export async function mediaKeysInUse(db: Db, keys: readonly string[]): Promise<Set<string>> {
  const used = new Set<string>();
  const originals = keys.filter((k) => !k.startsWith("media/"));
  for (const part of chunked([...new Set(originals)])) {
    for (const row of await db.select({ key: media.key }).from(media).where(inArray(media.key, part))) used.add(row.key);
  }
  // A variant's key names its row: media/<mediaId>/w<width>.webp.
  const variants = keys.filter((k) => k.startsWith("media/"));
  const ids = [...new Set(variants.map((k) => k.split("/")[1] ?? ""))];
  for (const part of chunked(ids)) {
    for (const row of await db.select({ variants: media.variants }).from(media).where(inArray(media.id, part))) {
      for (const variant of row.variants) used.add(variant.key);
    }
  }
  return new Set(keys.filter((k) => used.has(k)));
}

/** One row's MediaInfo as JSON, for SQL that reads it in place. */
const infoJson = sql`json_object('key', ${media.key}, 'state', ${media.state}, 'failure', ${media.failure}, 'width', ${media.width}, 'height', ${media.height}, 'placeholder', ${media.placeholder}, 'variants', json(${media.variants}))`;

const parsed = <T>(value: unknown): T => (typeof value === "string" ? JSON.parse(value) : value) as T;

/** SQL: the MediaInfo of the file at `keyColumn` (null without a key or a row), for a statement that reads it in place. */
export const mediaImageSql = (keyColumn: SQLWrapper) =>
  subquery<MediaInfo | null>(sql`(SELECT ${infoJson} FROM ${media} WHERE ${media.key} = ${keyColumn})`).mapWith((v) =>
    v == null ? null : parsed<MediaInfo>(v),
  );

/** SQL: the MediaInfo of each file of the JSON array of keys `keysColumn` that has a row (in no set order). */
export const mediaImagesSql = (keysColumn: SQLWrapper) =>
  subquery<MediaInfo[]>(
    sql`(SELECT json_group_array(json(${infoJson})) FROM json_each(${keysColumn}) AS k JOIN ${media} ON ${media.key} = k.value)`,
  ).mapWith((v) => (v == null ? [] : parsed<MediaInfo[]>(v)));

/**
 * A file as the API shows it, at `url` (`/media/<key>`): its variants (`url?w=<width>`) only once
 * ready. A file without a row yet is shown as `uploaded`: its processing has not started.
 */
export function toMediaImage(info: MediaInfo | undefined, url: string): MediaImageT {
  const ready = info?.state === "ready";
  return {
    url,
    state: info?.state ?? "uploaded",
    failure: info?.failure ?? null,
    width: info?.width ?? null,
    height: info?.height ?? null,
    placeholder: ready ? (info.placeholder ?? null) : null,
    variants: ready ? info.variants.map((v) => ({ width: v.width, height: v.height, url: `${url}?w=${v.width}` })) : [],
  };
}
