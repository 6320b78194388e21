import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv, Env } from "../env";
import { purgeStorefront } from "../storefront/purge";
import { CACHE_CONTROL, edgeCached, etagMatches } from "./edge-cache";

/** The cache middleware on a bare app, so the handler's runs can be counted. */
function pageApp(status = 200) {
  let renders = 0;
  const app = new Hono<AppEnv>()
    .get("/", edgeCached({ ttl: "purgeable" }), (c) => c.html(`<p>home ${++renders}</p>`, status as 200))
    .get("/search", edgeCached({ ttl: "short" }), (c) => c.html(`<p>search ${++renders}</p>`));
  const env = { APP_URL: `http://cache-${crypto.randomUUID()}.test` } as Env;
  async function get(path: string, headers: Record<string, string> = {}, extraEnv: Partial<Env> = {}) {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(`http://any-host.test${path}`, { headers }), { ...env, ...extraEnv }, ctx);
    const body = await res.text();
    await waitOnExecutionContext(ctx);
    return { res, body };
  }
  return { get, env, renders: () => renders };
}

describe("storefront cache", () => {
  it("serves the second request from the cache, with the same strong ETag", async () => {
    const app = pageApp();
    const first = await app.get("/");
    expect(first.res.headers.get("x-cache")).toBe("MISS");
    expect(first.res.headers.get("cache-control")).toBe(CACHE_CONTROL.purgeable);
    expect(first.res.headers.get("etag")).toMatch(/^"[0-9a-f]{32}"$/);
    const second = await app.get("/");
    expect(second.res.headers.get("x-cache")).toBe("HIT");
    expect(second.body).toBe(first.body);
    expect(second.res.headers.get("etag")).toBe(first.res.headers.get("etag"));
    expect(app.renders()).toBe(1);
  });

  it("answers If-None-Match with 304 on a miss and on a hit", async () => {
    const app = pageApp();
    const etag = (await app.get("/")).res.headers.get("etag")!;
    const hit = await app.get("/", { "if-none-match": etag });
    expect(hit.res.status).toBe(304);
    expect(hit.body).toBe("");
    expect(hit.res.headers.get("etag")).toBe(etag);

    const fresh = pageApp();
    const miss = await fresh.get("/", { "if-none-match": `W/${etag}, "other"` });
    expect(miss.res.status).toBe(304);
    expect((await fresh.get("/", { "if-none-match": '"stale"' })).res.status).toBe(200);
  });

  it("gives searches and query-string variants the short TTL", async () => {
    const app = pageApp();
    expect((await app.get("/search?q=x")).res.headers.get("cache-control")).toBe(CACHE_CONTROL.short);
    expect((await app.get("/?version=1.0.0")).res.headers.get("cache-control")).toBe(CACHE_CONTROL.short);
  });

  it("purgeStorefront makes the next request a miss", async () => {
    const app = pageApp();
    await app.get("/");
    expect((await app.get("/")).res.headers.get("x-cache")).toBe("HIT");
    await purgeStorefront(app.env, {});
    const after = await app.get("/");
    expect(after.res.headers.get("x-cache")).toBe("MISS");
    expect(after.body).toContain("home 2");
  });

  it("does not cache error pages", async () => {
    const app = pageApp(404);
    const first = await app.get("/");
    expect(first.res.headers.get("cache-control")).toBe("no-store");
    await app.get("/");
    expect(app.renders()).toBe(2);
  });

  it("skips the cache for the benchmark only when BENCH=1", async () => {
    const app = pageApp();
    await app.get("/");
    expect((await app.get("/", { "x-bench-bypass-cache": "1" })).res.headers.get("x-cache")).toBe("HIT");
    const bypassed = await app.get("/", { "x-bench-bypass-cache": "1" }, { BENCH: "1" });
    expect(bypassed.res.headers.get("x-cache")).toBe("BYPASS");
    expect(bypassed.res.headers.get("etag")).toBeTruthy();
    expect(app.renders()).toBe(2);
  });

  it("compares ETags weakly, as If-None-Match requires", () => {
    expect(etagMatches('"a"', '"a"')).toBe(true);
    expect(etagMatches('W/"a"', '"a"')).toBe(true);
    expect(etagMatches('"b", "a"', '"a"')).toBe(true);
    expect(etagMatches("*", '"a"')).toBe(true);
    expect(etagMatches('"b"', '"a"')).toBe(false);
    expect(etagMatches(undefined, '"a"')).toBe(false);
  });
});
