import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv, Env } from "../env";

/**
 * Edge caching of public GET responses (storefront pages, catalog search) with the Cache API,
 * plus ETag revalidation for browsers.
 *
 * - Every 200 response gets a strong ETag (SHA-256 of the body) and answers `If-None-Match` with 304.
 * - Pages are stored in `edgeCache()` keyed by path + query on APP_URL's origin (so a purge
 *   finds them whatever host name the request came in on) and served from there on a hit.
 * - `purgeStorefront` deletes the pages an item change shows up on. Only URLs without a query can
 *   be purged (`?version=` variants and searches are not enumerable), so those get the short TTL.
 * - The Cache API is per data centre: a purge clears this colo; elsewhere, pages age out within
 *   `s-maxage`. Error pages are not cached.
 */

export const CACHE_CONTROL = {
  /** Pages a purge reaches: home, item and author pages without a query string. */
  purgeable: "public, max-age=60, s-maxage=300",
  /** Searches and query-string variants: nothing purges them, so they live briefly. */
  short: "public, max-age=60, s-maxage=60",
} as const;

type CacheEnv = Pick<Env, "APP_URL">;

/** The Worker's edge cache. The DOM lib's CacheStorage type (also in scope) lacks `default`. */
export const edgeCache = (): Cache => (caches as unknown as { default: Cache }).default;

/** The cache key of a path, on one fixed origin. */
export function edgeCacheKey(env: CacheEnv, pathAndQuery: string): Request {
  return new Request(new URL(pathAndQuery, env.APP_URL).toString(), { method: "GET" });
}

async function strongEtag(body: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body));
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `"${hex.slice(0, 32)}"`;
}

/** `If-None-Match` uses the weak comparison (RFC 9110 §13.1.2): `W/"x"` matches `"x"`. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string | null): boolean {
  if (!ifNoneMatch || !etag) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, "");
  return ifNoneMatch.split(",").some((tag) => tag.trim() === "*" || bare(tag) === bare(etag));
}

/** The stored page as the client should get it: a 304 when its copy is current, with `x-cache`. */
function answer(c: Context<AppEnv>, page: Response, cacheStatus: "HIT" | "MISS" | "BYPASS"): Response {
  const headers = new Headers(page.headers);
  headers.set("x-cache", cacheStatus);
  if (etagMatches(c.req.header("if-none-match"), page.headers.get("etag"))) {
    headers.delete("content-type");
    headers.delete("content-length");
    return new Response(null, { status: 304, headers });
  }
  return new Response(page.body, { status: page.status, headers });
}

/** The benchmark compares cached and uncached pages; only a BENCH=1 Worker honours the header. */
const bypassesCache = (c: Context<AppEnv>) => c.env.BENCH === "1" && c.req.header("x-bench-bypass-cache") === "1";

/** `ttl`: "purgeable" for pages `purgeStorefront` reaches (their query-string variants still get "short"). */
export const edgeCached = ({ ttl }: { ttl: keyof typeof CACHE_CONTROL }) =>
  createMiddleware<AppEnv>(async function edgeCached(c, next) {
    const url = new URL(c.req.url);
    const key = edgeCacheKey(c.env, url.pathname + url.search);
    const bypass = bypassesCache(c);
    if (!bypass) {
      const hit = await edgeCache().match(key);
      if (hit) return answer(c, hit, "HIT");
    }

    await next();
    if (c.res.status !== 200) {
      c.res.headers.set("cache-control", "no-store");
      return;
    }
    const body = await c.res.text();
    const headers = new Headers(c.res.headers);
    headers.set("etag", await strongEtag(body));
    headers.set("cache-control", ttl === "purgeable" && !url.search ? CACHE_CONTROL.purgeable : CACHE_CONTROL.short);
    const page = new Response(body, { status: 200, headers });
    if (!bypass) c.executionCtx.waitUntil(edgeCache().put(key, page.clone()));
    // Replace rather than merge: Hono's `res` setter would copy the consumed response's headers over.
    c.res = undefined;
    c.res = answer(c, page, bypass ? "BYPASS" : "MISS");
  });
