import { and, eq, sql } from "drizzle-orm";
import { randomBase62 } from "../crypto/random";
import type { Db } from "../db/client";
import { items } from "../db/schema";
import type { Env } from "../env";
import { AppError } from "../http/errors";
import type { ItemRow } from "./queries";

/** Images authors may upload. SVG is excluded: it can carry script. */
const IMAGE_TYPES: Record<string, string> = { "image/png": "png", "image/jpeg": "jpg", "image/webp": "webp" };
export const MAX_IMAGE_BYTES = 2 * 1024 * 1024;
export const MAX_SCREENSHOTS = 8;

/** Streams an uploaded image into R2 under a fresh key; the caller records the key. */
export async function storeImage(
  env: Env,
  itemId: string,
  contentType: string | undefined,
  contentLength: number,
  body: ReadableStream | null,
) {
  const type = contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
  const ext = IMAGE_TYPES[type];
  if (!ext) throw new AppError("unsupported_media_type", `Images must be one of ${Object.keys(IMAGE_TYPES).join(", ")}`);
  if (!body || !contentLength) throw new AppError("invalid_request", "Send the image bytes with a Content-Length");
  if (contentLength > MAX_IMAGE_BYTES) throw new AppError("payload_too_large", `Images are limited to ${MAX_IMAGE_BYTES} bytes`);
  const key = `items/${itemId}/${randomBase62(16)}.${ext}`;
  await env.BUCKET.put(key, body, { httpMetadata: { contentType: type, cacheControl: "public, max-age=31536000, immutable" } });
  return key;
}

export async function setIcon(db: Db, env: Env, item: ItemRow, key: string) {
  await db.update(items).set({ iconKey: key, updatedAt: Date.now() }).where(eq(items.id, item.id));
  if (item.iconKey) await env.BUCKET.delete(item.iconKey);
}

/**
 * Appends in the stored list itself, under the cap, in one statement: concurrent adds neither
 * overwrite each other nor pass the cap together. A refused image is deleted.
 */
export async function addScreenshot(db: Db, env: Env, item: ItemRow, key: string) {
  const added = await db
    .update(items)
    .set({ screenshotKeys: sql`json_insert(${items.screenshotKeys}, '$[#]', ${key})`, updatedAt: Date.now() })
    .where(and(eq(items.id, item.id), sql`json_array_length(${items.screenshotKeys}) < ${MAX_SCREENSHOTS}`))
    .returning({ id: items.id });
  if (added.length === 0) {
    await env.BUCKET.delete(key);
    throw new AppError("conflict", `At most ${MAX_SCREENSHOTS} screenshots; remove one first`);
  }
}

/**
 * Removes the screenshot at `index` when read, by its key: a concurrent change may have moved it
 * since, and only the list as stored is rewritten, so no concurrent add or removal is undone.
 */
export async function removeScreenshot(db: Db, env: Env, item: ItemRow, index: number) {
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
}

/** GET /media/<key>: item images from R2, immutable (keys are never reused). */
export async function serveMedia(env: Env, key: string, ifNoneMatch: string | undefined) {
  if (!key.startsWith("items/")) throw new AppError("not_found", "Not found");
  const object = await env.BUCKET.get(key, {
    onlyIf: ifNoneMatch ? { etagDoesNotMatch: ifNoneMatch.replace(/^W\//, "").replace(/"/g, "") } : undefined,
  });
  if (!object) throw new AppError("not_found", "Not found");
  const headers = new Headers();
  object.writeHttpMetadata(headers);
  headers.set("etag", object.httpEtag);
  headers.set("x-content-type-options", "nosniff");
  if (!("body" in object)) return new Response(null, { status: 304, headers });
  return new Response(object.body, { headers });
}
