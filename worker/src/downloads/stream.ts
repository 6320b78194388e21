/**
 * HTTP semantics of a bundle download (RFC 9110): validators, conditional requests and one byte
 * range. Bundles are content-addressed and never change, so the strong ETag is the bundle's
 * SHA-256 and Last-Modified is when its version was published; both come from D1, so a 304 or a
 * 416 is decided without reading R2.
 */
import { entityTags } from "../http/entity-tags";

export interface Bundle {
  sha256: string;
  size: number;
  /** When the version was published (ms). */
  publishedAt: number;
}

/** A satisfiable byte range, inclusive of both ends. */
export interface ByteRange {
  start: number;
  end: number;
}

export type RangeAnswer = { kind: "full" } | { kind: "partial"; range: ByteRange } | { kind: "unsatisfiable" };

export const etagOf = (bundle: Bundle) => `"${bundle.sha256}"`;

/** Whole seconds: HTTP dates have no finer resolution. */
const httpDate = (ms: number) => new Date(ms).toUTCString();
const toSeconds = (ms: number) => Math.floor(ms / 1000);

/**
 * `If-None-Match` (weak comparison), else `If-Modified-Since`: true when the client's copy is
 * current and the answer is 304.
 */
export function notModified(headers: Headers, bundle: Bundle): boolean {
  const inm = headers.get("if-none-match");
  if (inm !== null) {
    const etag = etagOf(bundle);
    return entityTags(inm).some((tag) => tag === "*" || tag.replace(/^W\//, "") === etag);
  }
  const ims = headers.get("if-modified-since");
  if (ims !== null) {
    const since = Date.parse(ims);
    return !Number.isNaN(since) && toSeconds(bundle.publishedAt) <= toSeconds(since);
  }
  return false;
}

/**
 * One `bytes=` range, honoured only if `If-Range` (when sent) still matches: the strong ETag, or
 * exactly the Last-Modified date. Several ranges, other units and malformed values are ignored
 * (the whole bundle is sent), as RFC 9110 allows; a well-formed range past the end is 416.
 */
export function resolveRange(headers: Headers, bundle: Bundle): RangeAnswer {
  const header = headers.get("range");
  if (header === null) return { kind: "full" };
  const ifRange = headers.get("if-range");
  if (ifRange !== null) {
    const value = ifRange.trim();
    const current = value.startsWith('"')
      ? value === etagOf(bundle)
      : !value.startsWith("W/") && Date.parse(value) === toSeconds(bundle.publishedAt) * 1000;
    if (!current) return { kind: "full" };
  }
  const match = /^bytes=(\d*)-(\d*)$/i.exec(header.trim());
  if (!match) return { kind: "full" };
  const [, first, last] = match;
  const size = bundle.size;
  if (first === "") {
    // A suffix: the last N bytes.
    if (last === "") return { kind: "full" };
    const length = Number(last);
    if (length === 0) return { kind: "unsatisfiable" };
    return { kind: "partial", range: { start: Math.max(0, size - length), end: size - 1 } };
  }
  const start = Number(first);
  const end = last === "" ? Infinity : Number(last);
  if (end < start) return { kind: "full" };
  if (start >= size) return { kind: "unsatisfiable" };
  return { kind: "partial", range: { start, end: Math.min(end, size - 1) } };
}

/** Headers every answer about a bundle carries (200, 206, 304). */
export function bundleHeaders(bundle: Bundle, filename: string): Headers {
  return new Headers({
    etag: etagOf(bundle),
    "last-modified": httpDate(bundle.publishedAt),
    "accept-ranges": "bytes",
    "content-type": "application/gzip",
    "content-disposition": contentDisposition(filename),
    // The link is a personal credential: browsers may keep the bytes, shared caches may not.
    "cache-control": "private, no-cache",
    "x-content-type-options": "nosniff",
  });
}

/** `attachment` with a quoted ASCII filename and its RFC 8187 form (safe for any name). */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
