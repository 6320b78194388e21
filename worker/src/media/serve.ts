import type { Ctx } from "../context";
import { AppError } from "../http/errors";
import { findMedia } from "./records";
import type { StoredVariant } from "./tables";

/** What a media request is answered with; the route makes the Response. */
export interface MediaAnswer {
  status: 200 | 304;
  headers: Headers;
  body: ReadableStream | null;
}

/** The smallest variant at least `width` wide, else the largest (the default). */
export function pickVariant(variants: readonly StoredVariant[], width: number | undefined): StoredVariant | undefined {
  const bySize = [...variants].sort((a, b) => a.width - b.width);
  return (width === undefined ? undefined : bySize.find((v) => v.width >= width)) ?? bySize[bySize.length - 1];
}

/**
 * GET /media/<key>?w=: a ready item image as one of its WebP variants, immutable (keys are never
 * reused). The original (with its EXIF, GPS…) is never served; neither are project assets, which
 * their project's access guards.
 */
export async function serveMedia(
  ctx: Ctx,
  { key, width, ifNoneMatch }: { key: string; width: string | undefined; ifNoneMatch: string | undefined },
): Promise<MediaAnswer> {
  if (width !== undefined && !/^\d{1,5}$/.test(width))
    throw new AppError("invalid_request", "w must be a width in pixels", { fields: { "query.w": ["must be a whole number"] } });
  const row = await findMedia(ctx.db, key);
  if (!row || (row.purpose !== "item-icon" && row.purpose !== "item-screenshot")) throw new AppError("not_found", "Not found");
  if (row.state === "failed") throw new AppError("not_found", `This image could not be used: ${row.failure ?? "processing failed"}`);
  if (row.state !== "ready") throw new AppError("not_found", "This image is still processing");
  const variant = pickVariant(row.variants, width === undefined ? undefined : Number(width));
  const object =
    variant &&
    (await ctx.env.BUCKET.get(variant.key, {
      onlyIf: ifNoneMatch ? { etagDoesNotMatch: ifNoneMatch.replace(/^W\//, "").replace(/"/g, "") } : undefined,
    }));
  if (!object) throw new AppError("not_found", "Not found");
  const headers = new Headers();
  object.writeHttpMetadata(headers);
  headers.set("etag", object.httpEtag);
  headers.set("x-content-type-options", "nosniff");
  if (!("body" in object)) return { status: 304, headers, body: null };
  return { status: 200, headers, body: object.body };
}
