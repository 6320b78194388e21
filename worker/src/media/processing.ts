/**
 * The `plaza-media` consumer: turns an uploaded image into upright WebP variants and an inline
 * placeholder through the Images binding. The header is checked before anything is decoded, so
 * a decompression bomb is refused from its declared size alone.
 */
import { and, eq, inArray, sql } from "drizzle-orm";
import { MEDIA_VARIANT_WIDTHS } from "../../../shared/media";
import { backgroundContext, type Ctx } from "../context";
import type { Env, MediaQueueMessage } from "../env";
import { type ConsumerPolicy, consumeEach } from "../http/queue-consumer";
import type { Runtime } from "../module";
import { deleteObjects, PROCESSED_IMAGE_TYPES } from "./records";
import { media, type StoredVariant } from "./tables";

/** Claims per image: a transient failure is retried until the third, then the image is `failed`. */
export const MAX_ATTEMPTS = 3;
export const MAX_PIXELS = 50_000_000;
export const MAX_SIDE = 12_000;
const PLACEHOLDER_WIDTH = 16;
const VARIANT_QUALITY = 82;
const PLACEHOLDER_QUALITY = 40;

export const FAILURES = {
  notAnImage: "not an image Plaza can read (JPEG, PNG, WebP, GIF or AVIF)",
  svg: "SVG images are not accepted",
  tooLarge: (width: number, height: number) =>
    `the image is ${width}x${height} px; images may be at most ${MAX_PIXELS / 1_000_000} megapixels and ${MAX_SIDE} px a side`,
  missing: "the uploaded file is gone",
  exhausted: "could not be processed",
} as const;

/** Variants are named by their row and width, and never change once written. */
const variantKey = (mediaId: string, width: number) => `media/${mediaId}/w${width}.webp`;
const IMMUTABLE = "public, max-age=31536000, immutable";

const MEDIA_QUEUE: ConsumerPolicy<MediaQueueMessage> = {
  queue: "plaza-media",
  retry: { baseSeconds: 10, maxSeconds: 120, jitter: 0.2 },
  about: (body) => ({ mediaId: body.mediaId }),
};

const MEDIA_DEAD_LETTERS: ConsumerPolicy<MediaQueueMessage> = {
  queue: "plaza-media-dlq",
  retry: { baseSeconds: 10, maxSeconds: 300, jitter: 0.2 },
  about: (body) => ({ mediaId: body.mediaId }),
};

export async function consumeMedia(batch: MessageBatch<MediaQueueMessage>, env: Env, runtime: Runtime) {
  const ctx = backgroundContext(env, { requestId: `media_${Date.now()}`, handlers: runtime.events });
  await consumeEach(batch, MEDIA_QUEUE, (body) => processMedia(ctx, body.mediaId));
}

/** Messages that exhausted their retries: the image is `failed`, so its author sees it and can upload again. */
export async function consumeMediaDeadLetters(batch: MessageBatch<MediaQueueMessage>, env: Env, runtime: Runtime) {
  const { db, events } = backgroundContext(env, { requestId: `media-dlq_${Date.now()}`, handlers: runtime.events });
  await events.emit("queue.dead_lettered", batch);
  await consumeEach(batch, MEDIA_DEAD_LETTERS, async ({ mediaId }) => {
    await db
      .update(media)
      .set({ state: "failed", failure: FAILURES.exhausted, updatedAt: Date.now() })
      .where(and(eq(media.id, mediaId), inArray(media.state, ["uploaded", "processing"])));
  });
}

/** Failures no retry changes: the row ends `failed` with the reason and the message is done. */
class Unprocessable extends Error {}

/**
 * Processes one row if it is waiting (`uploaded`, or `processing` left by a lost attempt); a row
 * already ready, failed or deleted is left alone, so a re-delivered message does nothing.
 */
export async function processMedia(ctx: Ctx, mediaId: string): Promise<void> {
  const { db } = ctx;
  const [row] = await db
    .update(media)
    .set({ state: "processing", attempts: sql`${media.attempts} + 1`, updatedAt: Date.now() })
    .where(and(eq(media.id, mediaId), inArray(media.state, ["uploaded", "processing"])))
    .returning();
  if (!row) return;
  if (row.attempts > MAX_ATTEMPTS) return fail(ctx, mediaId, FAILURES.exhausted);
  try {
    await makeVariants(ctx, row);
  } catch (err) {
    if (err instanceof Unprocessable) return fail(ctx, mediaId, err.message);
    if (row.attempts >= MAX_ATTEMPTS) {
      ctx.log("warn", "media processing failed for good", { mediaId, error: String(err) });
      return fail(ctx, mediaId, FAILURES.exhausted);
    }
    throw err;
  }
}

const fail = async ({ db }: Ctx, mediaId: string, reason: string) => {
  await db
    .update(media)
    .set({ state: "failed", failure: reason, updatedAt: Date.now() })
    .where(and(eq(media.id, mediaId), eq(media.state, "processing")));
};

type Row = typeof media.$inferSelect;

async function makeVariants(ctx: Ctx, row: Row) {
  const { env, db } = ctx;
  const original = async () => {
    const object = await env.BUCKET.get(row.key);
    if (!object) throw new Unprocessable(FAILURES.missing);
    return object;
  };
  await refuseOversizedPng(env, row.key);
  const stored = await original();
  const header = await readHeader(env, stored.body);
  const written: string[] = [];
  const encode = async (width: number, quality: number) =>
    (
      await (
        await env.IMAGES.input((await original()).body)
          .transform({ width })
          .output({ format: "image/webp", quality })
      ).response()
    ).arrayBuffer();
  const store = async (bytes: ArrayBuffer): Promise<StoredVariant> => {
    const size = await readHeader(env, new Blob([bytes]).stream());
    const key = variantKey(row.id, size.width);
    written.push(key);
    await env.BUCKET.put(key, bytes, { httpMetadata: { contentType: "image/webp", cacheControl: IMMUTABLE } });
    return { width: size.width, height: size.height, key, size: bytes.byteLength };
  };
  // The largest first: never upscaled, so its aspect tells whether EXIF turned the image a quarter.
  const largestWidth = MEDIA_VARIANT_WIDTHS[MEDIA_VARIANT_WIDTHS.length - 1]!;
  const largestBytes = await encode(largestWidth, VARIANT_QUALITY);
  const largest = await readHeader(env, new Blob([largestBytes]).stream());
  const turned = header.width !== header.height && largest.width > largest.height !== header.width > header.height;
  const upright = turned ? { width: header.height, height: header.width } : { width: header.width, height: header.height };
  const widths = MEDIA_VARIANT_WIDTHS.filter((w) => w <= upright.width);
  const variants: StoredVariant[] = [];
  // An image narrower than the smallest width gets one variant at its own width (the one just made).
  if (widths.length === 0 || widths.includes(largestWidth)) variants.push(await store(largestBytes));
  for (const width of widths.filter((w) => w !== largestWidth)) variants.push(await store(await encode(width, VARIANT_QUALITY)));
  variants.sort((a, b) => a.width - b.width);
  const placeholderBytes = await encode(PLACEHOLDER_WIDTH, PLACEHOLDER_QUALITY);
  const placeholder = `data:image/webp;base64,${base64(placeholderBytes)}`;

  const [done] = await db
    .update(media)
    // The stored size too: rows the migration added for older files did not know it.
    .set({ state: "ready", failure: null, size: stored.size, ...upright, variants, placeholder, updatedAt: Date.now() })
    .where(and(eq(media.id, row.id), eq(media.state, "processing")))
    .returning({ id: media.id });
  if (done) {
    await ctx.events.emit("media.ready", { orgId: row.orgId, key: row.key, purpose: row.purpose });
    return;
  }
  // Deleted meanwhile (discarded): nothing refers to what was written. A row still there (another
  // attempt finished first, or failed it) keeps its objects: same keys, same bytes.
  if (!(await db.select({ id: media.id }).from(media).where(eq(media.id, row.id))).length) await deleteObjects(env, written);
}

/** Type and stored size from the header alone (no decode); refuses what Plaza does not process. */
async function readHeader(env: Env, body: ReadableStream) {
  let info: ImageInfoResponse;
  try {
    info = await env.IMAGES.info(body);
  } catch {
    throw new Unprocessable(FAILURES.notAnImage);
  }
  if (info.format === "image/svg+xml") throw new Unprocessable(FAILURES.svg);
  if (!PROCESSED_IMAGE_TYPES.includes(info.format) || !("width" in info)) throw new Unprocessable(FAILURES.notAnImage);
  checkDimensions(info.width, info.height);
  return { width: info.width, height: info.height };
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * A PNG's declared size straight from its IHDR (bytes 16-23): Sharp, which runs the Images binding
 * locally, refuses to answer `info()` past 268 megapixels, so a bomb would read as "not an image".
 */
async function refuseOversizedPng(env: Env, key: string) {
  const head = await env.BUCKET.get(key, { range: { offset: 0, length: 24 } });
  if (!head) throw new Unprocessable(FAILURES.missing);
  const bytes = new Uint8Array(await head.arrayBuffer());
  if (bytes.length < 24 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkDimensions(view.getUint32(16), view.getUint32(20));
}

function checkDimensions(width: number, height: number) {
  if (width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_PIXELS) throw new Unprocessable(FAILURES.tooLarge(width, height));
}

function base64(bytes: ArrayBuffer) {
  let binary = "";
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
