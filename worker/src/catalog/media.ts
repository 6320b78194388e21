import { and, eq, sql } from "drizzle-orm";
import { ITEM_IMAGE_MAX_BYTES, ITEM_IMAGE_TYPES, type ItemT, MAX_SCREENSHOTS } from "../../../shared/catalog";
import type { Ctx, EventHandlers } from "../context";
import { randomBase62 } from "../crypto/random";
import type { Env } from "../env";
import { type OrgAccess, requireOrgRole } from "../http/access";
import { AppError } from "../http/errors";
import type { Principal } from "../http/principal";
import { discardMedia, registerMedia } from "../media";
import { orgItem } from "./items";
import { findItem, findOrgItem } from "./queries";
import { findItemBySlug } from "./refs";
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

export type ItemImageRole = "icon" | "screenshot";

const imageType = (contentType: string | undefined) => contentType?.split(";")[0]?.trim().toLowerCase() ?? "";

/** A fresh R2 key for an image of the item (`items/<itemId>/<random>.<ext>`); 415 for a type authors may not upload. */
export function newItemImageKey(itemId: string, contentType: string | undefined) {
  const ext = IMAGE_EXTENSIONS.get(imageType(contentType));
  if (!ext) throw new AppError("unsupported_media_type", `Images must be one of ${ITEM_IMAGE_TYPES.join(", ")}`);
  return `items/${itemId}/${randomBase62(16)}.${ext}`;
}

/** The item an image key (newItemImageKey's) belongs to. */
const itemOfImageKey = (key: string) => /^items\/([^/]+)\//.exec(key)?.[1];

/**
 * An item image is shown only once its variants are made (in the background, after the request
 * that stored it): the pages cached without it are purged then.
 */
export const itemImageEvents: EventHandlers = {
  "media.ready": async (ctx, { orgId, key, purpose }) => {
    const itemId = itemOfImageKey(key);
    if ((purpose === "item-icon" || purpose === "item-screenshot") && itemId)
      await ctx.events.emit("catalog.changed", { orgId, itemIds: [itemId] });
    return undefined;
  },
};

/** Streams an uploaded image into R2 under a fresh key; the caller registers and records it. */
async function storeImage(env: Env, itemId: string, { contentType, contentLength, body }: ImageUpload) {
  const key = newItemImageKey(itemId, contentType);
  if (!body || !contentLength) throw new AppError("invalid_request", "Send the image bytes with a Content-Length");
  if (contentLength > ITEM_IMAGE_MAX_BYTES) throw new AppError("payload_too_large", `Images are limited to ${ITEM_IMAGE_MAX_BYTES} bytes`);
  const type = imageType(contentType);
  await env.BUCKET.put(key, body, { httpMetadata: { contentType: type } });
  return { key, contentType: type, size: contentLength };
}

/** Items' pages show their images: what changed is announced once it is stored. */
const announce = (ctx: Ctx, access: OrgAccess, itemId: string) =>
  ctx.events.emit("catalog.changed", { orgId: access.orgId, itemIds: [itemId] });

/** A stored image of the item: registered as media (queued for its variants), then made its icon or appended to its screenshots. */
interface StoredImage {
  orgId: string;
  itemId: string;
  role: ItemImageRole;
  key: string;
  contentType: string;
  size: number;
  sha256?: string | null;
}

/**
 * The icon is replaced, or the screenshot appended in the stored list itself, under the cap, in one
 * statement: concurrent adds neither overwrite each other nor pass the cap together. A refused
 * image and a replaced icon are discarded with their variants.
 */
async function attachImage(ctx: Ctx, { orgId, itemId, role, key, contentType, size, sha256 }: StoredImage) {
  const { db } = ctx;
  const { item } = await findOrgItem(db, orgId, itemId);
  await registerMedia(ctx, { orgId, key, purpose: `item-${role}`, contentType, size, sha256, state: "uploaded" });
  if (role === "icon") {
    await db.update(items).set({ iconKey: key, updatedAt: Date.now() }).where(eq(items.id, item.id));
    if (item.iconKey && item.iconKey !== key) await discardMedia(ctx, [item.iconKey]);
  } else {
    const added = await db
      .update(items)
      .set({ screenshotKeys: sql`json_insert(${items.screenshotKeys}, '$[#]', ${key})`, updatedAt: Date.now() })
      .where(and(eq(items.id, item.id), sql`json_array_length(${items.screenshotKeys}) < ${MAX_SCREENSHOTS}`))
      .returning({ id: items.id });
    if (added.length === 0) {
      await discardMedia(ctx, [key]);
      throw new AppError("conflict", `At most ${MAX_SCREENSHOTS} screenshots; remove one first`);
    }
  }
  await ctx.events.emit("catalog.changed", { orgId, itemIds: [item.id] });
  return orgItem(db, orgId, item.id);
}

export async function setIcon(ctx: Ctx, { access, itemId, image }: ItemImage): Promise<ItemT> {
  const { item } = await findOrgItem(ctx.db, access.orgId, itemId);
  const stored = await storeImage(ctx.env, item.id, image);
  return attachImage(ctx, { orgId: access.orgId, itemId: item.id, role: "icon", ...stored });
}

export async function addScreenshot(ctx: Ctx, { access, itemId, image }: ItemImage): Promise<ItemT> {
  const { item } = await findOrgItem(ctx.db, access.orgId, itemId);
  const stored = await storeImage(ctx.env, item.id, image);
  return attachImage(ctx, { orgId: access.orgId, itemId: item.id, role: "screenshot", ...stored });
}

/**
 * Who may upload an image of `item` (its id, or its slug as the bundle kind takes it): an admin of
 * its org with catalog:write, as for the PUT routes; 404 for anyone else. Checked when a resumable
 * upload starts and again when it is adopted.
 */
export async function checkItemImageUpload(ctx: Ctx, { principal, item }: { principal: Principal; item: string }) {
  const found = item.startsWith("itm_") ? (await findItem(ctx.db, item))?.item : await findItemBySlug(ctx.db, item);
  if (!found) throw new AppError("not_found", "Item not found");
  requireOrgRole(principal, found.orgId, "admin", "catalog:write");
  return { orgId: found.orgId, itemId: found.id };
}

/**
 * Makes a completed resumable upload at `key` (from `newItemImageKey`) the item's icon or one more
 * screenshot, if the caller may still upload images of it; otherwise the image is discarded.
 */
export async function adoptItemImage(ctx: Ctx, input: Omit<StoredImage, "orgId"> & { principal: Principal }): Promise<ItemT> {
  const { principal, ...image } = input;
  try {
    if (image.size > ITEM_IMAGE_MAX_BYTES) throw new AppError("payload_too_large", `Images are limited to ${ITEM_IMAGE_MAX_BYTES} bytes`);
    const { orgId, itemId } = await checkItemImageUpload(ctx, { principal, item: image.itemId });
    return await attachImage(ctx, { ...image, orgId, itemId, contentType: imageType(image.contentType) });
  } catch (err) {
    await discardMedia(ctx, [image.key]);
    throw err;
  }
}

/**
 * Removes the screenshot at `index` when read, by its key: a concurrent change may have moved it
 * since, and only the list as stored is rewritten, so no concurrent add or removal is undone.
 */
export async function removeScreenshot(ctx: Ctx, { access, itemId, index }: { access: OrgAccess; itemId: string; index: number }) {
  const { db } = ctx;
  const { item } = await findOrgItem(db, access.orgId, itemId);
  const key = item.screenshotKeys[index];
  if (!key) throw new AppError("not_found", "Screenshot not found");
  const position = sql`(SELECT j.fullkey FROM json_each(${items.screenshotKeys}) j WHERE j.value = ${key})`;
  const removed = await db
    .update(items)
    .set({ screenshotKeys: sql`json_remove(${items.screenshotKeys}, ${position})`, updatedAt: Date.now() })
    .where(and(eq(items.id, item.id), sql`${position} IS NOT NULL`))
    .returning({ id: items.id });
  // Gone already: a concurrent removal of the same screenshot won, and discards the image.
  if (removed.length === 0) throw new AppError("not_found", "Screenshot not found");
  await discardMedia(ctx, [key]);
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
