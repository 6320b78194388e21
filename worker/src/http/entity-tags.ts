/** Entity tags in conditional request headers (`If-Match`, `If-None-Match`, `If-Range`; RFC 9110 §8.8.3, §13.1). */
import { z } from "@hono/zod-openapi";

const ENTITY_TAG = String.raw`(?:W/)?"[\x21\x23-\x7e\x80-\xff]*"`;

/** The entity tags in such a header (weak ones with their `W/`), or `*`. */
export function entityTags(header: string): string[] {
  return header.match(/(?:W\/)?"[^"]*"|\*/g) ?? [];
}

/** `If-Match` as RFC 9110 writes it: `*`, or a comma-separated list of quoted entity tags. */
export const IfMatchHeader = z
  .string()
  .regex(new RegExp(`^(?:\\*|${ENTITY_TAG}(?:[ \\t]*,[ \\t]*${ENTITY_TAG})*)$`), 'must be * or quoted entity tags, e.g. "3"');

/**
 * `If-Match`'s strong comparison: whether the header names `etag` (weak tags never match), or is
 * `*` (any current version).
 */
export const ifMatchAccepts = (ifMatch: string, etag: string) => entityTags(ifMatch).some((tag) => tag === "*" || tag === etag);
