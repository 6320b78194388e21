import { and, eq, sql } from "drizzle-orm";
import { ITEM_IMAGE_MAX_BYTES, ITEM_IMAGE_TYPES, type ItemT, MAX_SCREENSHOTS } from "../../../shared/catalog";
import type { Ctx } from "../context";
import { randomBase62 } from "../crypto/random";
import type { Env } from "../env";
import type { OrgAccess } from "../http/access";
import { AppError } from "../http/errors";
import { orgItem } from "./items";
import { findOrgItem } from "./queries";
import { items } from "./tables";

/** The file extension of each image type authors may upload. */
const IMAGE_EXTENSIONS = new Map<string, string>([
  ["image/png", "png"],
  ["image/jpeg", "jpg"],
  ["image/webp", "webp"],
] satisfies [(typeof ITEM_IMAGE_TYPES)[number], string][]);

/** An image as a request sends it: its declared type and length, and its bytes. */
export interface ImageUpload {
  contentType: string | undefined;
  contentLength: number;
  body: ReadableStream | null;
}

interface ItemImage {
  access: OrgAccess;
  itemId: string;
  image: ImageUpload;
}

/** Streams an uploaded image into R2 under a fresh key; the caller records the key. */
async function storeImage(env: Env, itemId: string, { contentType, contentLength, body }: ImageUpload) {
  const type = contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
  const ext = IMAGE_EXTENSIONS.get(type);
  if (!ext) throw new AppError("unsupported_media_type", `Images must be one of ${ITEM_IMAGE_TYPES.join(", ")}`);
  if (!body || !contentLength) throw new AppError("invalid_request", "Send the image bytes with a Content-Length");
  if (contentLength > ITEM_IMAGE_MAX_BYTES) throw new AppError("payload_too_large", `Images are limited to ${ITEM_IMAGE_MAX_BYTES} bytes`);
  const key = `items/${itemId}/${randomBase62(16)}.${ext}`;
  await env.BUCKET.put(key, body, { httpMetadata: { contentType: type, cacheControl: "public, max-age=31536000, immutable" } });
  return key;
}

/** Items' pages show their images: what changed is announced once it is stored. */
const announce = (ctx: Ctx, access: OrgAccess, itemId: string) =>
  ctx.events.emit("catalog.changed", { orgId: access.orgId, itemIds: [itemId] });

export async function setIcon(ctx: Ctx, { access, itemId, image }: ItemImage): Promise<ItemT> {
  const { db, env } = ctx;
  const { item } = await findOrgItem(db, access.orgId, itemId);
  const key = await storeImage(env, item.id, image);
  await db.update(items).set({ iconKey: key, updatedAt: Date.now() }).where(eq(items.id, item.id));
  if (item.iconKey) await env.BUCKET.delete(item.iconKey);
  await announce(ctx, access, item.id);
  return orgItem(db, access.orgId, itemId);
}

/**
 * Appends in the stored list itself, under the cap, in one statement: concurrent adds neither
 * overwrite each other nor pass the cap together. A refused image is deleted.
 */
export async function addScreenshot(ctx: Ctx, { access, itemId, image }: ItemImage): Promise<ItemT> {
  const { db, env } = ctx;
  const { item } = await findOrgItem(db, access.orgId, itemId);
  const key = await storeImage(env, item.id, image);
  const added = await db
    .update(items)
    .set({ screenshotKeys: sql`json_insert(${items.screenshotKeys}, '$[#]', ${key})`, updatedAt: Date.now() })
    .where(and(eq(items.id, item.id), sql`json_array_length(${items.screenshotKeys}) < ${MAX_SCREENSHOTS}`))
    .returning({ id: items.id });
  if (added.length === 0) {
    await env.BUCKET.delete(key);
    throw new AppError("conflict", `At most ${MAX_SCREENSHOTS} screenshots; remove one first`);
  }
  await announce(ctx, access, item.id);
  return orgItem(db, access.orgId, itemId);
}

/**
 * Removes the screenshot at `index` when read, by its key: a concurrent change may have moved it
 * since, and only the list as stored is rewritten, so no concurrent add or removal is undone.
 */
export async function removeScreenshot(ctx: Ctx, { access, itemId, index }: { access: OrgAccess; itemId: string; index: number }) {
  const { db, env } = ctx;
  const { item } = await findOrgItem(db, access.orgId, itemId);
  const key = item.screenshotKeys[index];
  if (!key) throw new AppError("not_found", "Screenshot not found");
  const position = sql`(SELECT j.fullkey FROM json_each(${items.screenshotKeys}) j WHERE j.value = ${key})`;
  const removed = await db
    .update(items)
    .set({ screenshotKeys: sql`json_remove(${items.screenshotKeys}, ${position})`, updatedAt: Date.now() })
    .where(and(eq(items.id, item.id), sql`${position} IS NOT NULL`))
    .returning({ id: items.id });
  // Gone already: a concurrent removal of the same screenshot won, and deletes the image.
  if (removed.length === 0) throw new AppError("not_found", "Screenshot not found");
  await env.BUCKET.delete(key);
  await announce(ctx, access, item.id);
}

/**
 * Puts the screenshots in the order given (the item's `screenshotUrls`, each once). A list that is
 * not the stored one reordered was read before another change: 409, and nothing moves. The write
 * is conditional on the list as read, so a concurrent add or removal is never undone.
 */
export async function reorderScreenshots(
  ctx: Ctx,
  { access, itemId, screenshotUrls }: { access: OrgAccess; itemId: string; screenshotUrls: string[] },
): Promise<ItemT> {
  const { db } = ctx;
  const { item } = await findOrgItem(db, access.orgId, itemId);
  const current = item.screenshotKeys;
  const wanted = screenshotUrls.map((url) => url.replace(/^\/media\//, ""));
  const sameSet = wanted.length === current.length && new Set(wanted).size === wanted.length && wanted.every((k) => current.includes(k));
  const stale = () => new AppError("conflict", "The screenshots changed since they were loaded; reload and try again");
  if (!sameSet) throw stale();
  const reordered = await db
    .update(items)
    .set({ screenshotKeys: wanted, updatedAt: Date.now() })
    .where(and(eq(items.id, item.id), sql`json(${items.screenshotKeys}) = json(${JSON.stringify(current)})`))
    .returning({ id: items.id });
  if (reordered.length === 0) throw stale();
  await announce(ctx, access, item.id);
  return orgItem(db, access.orgId, itemId);
}

/** What a media request is answered with; the route makes the Response. */
export interface MediaAnswer {
  status: 200 | 304;
  headers: Headers;
  body: ReadableStream | null;
}

/** GET /media/<key>: item images from R2, immutable (keys are never reused). */
export async function serveMedia(ctx: Ctx, { key, ifNoneMatch }: { key: string; ifNoneMatch: string | undefined }): Promise<MediaAnswer> {
  if (!key.startsWith("items/")) throw new AppError("not_found", "Not found");
  const object = await ctx.env.BUCKET.get(key, {
    onlyIf: ifNoneMatch ? { etagDoesNotMatch: ifNoneMatch.replace(/^W\//, "").replace(/"/g, "") } : undefined,
  });
  if (!object) throw new AppError("not_found", "Not found");
  const headers = new Headers();
  object.writeHttpMetadata(headers);
  headers.set("etag", object.httpEtag);
  headers.set("x-content-type-options", "nosniff");
  if (!("body" in object)) return { status: 304, headers, body: null };
  return { status: 200, headers, body: object.body };
}
