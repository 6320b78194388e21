import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { ErrorEnvelope } from "../../../shared/errors";
import { createItemViaApi, publishVersion, sha256Hex } from "../../test/catalog-api";
import { getFreeItem } from "../../test/entitlement-fixtures";
import { createOrg, createUser, makeOperator, type TestUser } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";
import { JOBS, jobContext } from "../../test/jobs";
import { buy, countRows, eventually, onboardSeller, stripeEventsSettled } from "../../test/payments";
import { statusCounts } from "../../test/rate-limits";
import { newId } from "../crypto/random";
import { TALLY_BUCKETS, TALLY_ROUNDS } from "./tally";
import { signDownloadToken } from "./token";

const worker = (exports as unknown as { default: Fetcher }).default;
const DAY = 86_400_000;

let author: TestUser;
let orgId: string;
let operator: TestUser;
beforeAll(async () => {
  [author, operator] = await Promise.all([createUser("dl-author"), createUser("dl-operator")]);
  await makeOperator(operator);
  orgId = (await createOrg(author)).id;
});

let counter = 0;
/** 64 KiB of random bytes, so ranges have room. */
const randomBundle = () => crypto.getRandomValues(new Uint8Array(65_536));

interface Published {
  id: string;
  slug: string;
  bundles: Record<string, Uint8Array<ArrayBuffer>>;
}

/** An item published through the API with real bundles for each version (the first is stable 1.0.0). */
async function itemWith(
  versions: { version: string; channel?: "stable" | "beta" }[] = [{ version: "1.0.0" }],
  body: Record<string, unknown> = {},
  status: "published" | "draft" = "published",
) {
  const slug = `dl-${Date.now().toString(36)}-${++counter}`;
  const item = await createItemViaApi(author, orgId, { slug, name: `Download ${counter}`, ...body });
  const bundles: Published["bundles"] = {};
  for (const v of versions) {
    const bytes = randomBundle();
    const res = await publishVersion(author, slug, v.version, { channel: v.channel, bytes });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    bundles[v.version] = bytes;
  }
  if (status === "published") {
    const res = await call("PATCH", `/v1/orgs/${orgId}/items/${item.id}`, { token: author.accessToken, body: { status: "published" } });
    expect(res.status).toBe(200);
  }
  return { id: item.id, slug, bundles } satisfies Published;
}

/** A buyer who got the (free) item through the API. */
async function owner(item: Published, label = "dl-buyer") {
  const user = await createUser(label);
  const entitlement = await getFreeItem(user, item.slug);
  return { user, entitlementId: entitlement.id };
}

async function mint(user: TestUser, body: Record<string, unknown>) {
  return call("POST", "/v1/me/downloads", { token: user.accessToken, body });
}

async function link(user: TestUser, body: Record<string, unknown>) {
  const res = await mint(user, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { url: string; expiresAt: number; version: string; maxUses: number };
}

interface Downloaded {
  status: number;
  headers: Headers;
  bytes: Uint8Array<ArrayBuffer>;
  /** The JSON body of an error answer; null for any other. */
  body: ErrorEnvelope | null;
}

/** GETs (or HEADs) a link, by its URL or its path. */
async function download(url: string, headers: Record<string, string> = {}, method = "GET"): Promise<Downloaded> {
  const path = url.startsWith("http") ? new URL(url).pathname : url;
  const res = await worker.fetch(`http://plaza.test${path}`, { method, headers });
  const bytes = new Uint8Array(await res.arrayBuffer());
  let body: ErrorEnvelope | null = null;
  if (res.headers.get("content-type")?.includes("json")) body = JSON.parse(new TextDecoder().decode(bytes));
  return { status: res.status, headers: res.headers, bytes, body };
}

const tokenOf = (url: string) => new URL(url).pathname.split("/").pop()!;
const usesOf = async (url: string) =>
  (await env.DB.prepare("SELECT uses FROM download_tokens WHERE id = ?").bind(tokenOf(url).split(".")[1]).first<{ uses: number }>())!.uses;
const itemDownloads = async (itemId: string) =>
  (await env.DB.prepare("SELECT downloads FROM items WHERE id = ?").bind(itemId).first<{ downloads: number }>())!.downloads;
/** Runs the tally job, as the next cron tick does: items' totals and their rollups catch up with the log. */
const tally = (batchSize?: number) => JOBS["tally-downloads"]!(jobContext(env, Date.now(), batchSize));

describe("minting a link", () => {
  it("answers { url, expiresAt, version, maxUses } to the owner; version defaults to the newest stable one not yanked", async () => {
    const item = await itemWith([
      { version: "1.0.0" },
      { version: "1.1.0" },
      { version: "1.2.0" },
      { version: "2.0.0-beta.1", channel: "beta" },
    ]);
    const yank = await call("POST", `/v1/orgs/${orgId}/items/${item.id}/versions/1.2.0/yank`, { token: author.accessToken });
    expect(yank.status).toBe(200);
    const { user } = await owner(item);

    const before = Date.now();
    const res = await mint(user, { item: item.slug });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      url: expect.stringMatching(/^http:\/\/localhost:8787\/download\/[^/]+$/),
      expiresAt: expect.any(Number),
      version: "1.1.0",
      maxUses: 5,
    });
    expect(res.body.expiresAt).toBeGreaterThanOrEqual(before + 900_000);
    expect(res.body.expiresAt).toBeLessThanOrEqual(Date.now() + 900_000);

    expect((await link(user, { item: item.slug, version: "2.0.0-beta.1" })).version).toBe("2.0.0-beta.1");
    const week = await link(user, { item: item.slug, version: "1.0.0", ttlSeconds: 604_800 });
    expect(week.expiresAt - Date.now()).toBeGreaterThan(604_790_000);

    const tooLong = await mint(user, { item: item.slug, ttlSeconds: 604_801 });
    expect([tooLong.status, errorCode(tooLong)]).toEqual([400, "invalid_request"]);
    expect(tooLong.body.error.fields).toHaveProperty(["body.ttlSeconds"]);
    for (const body of [{ item: item.slug, version: "9.9.9" }, { item: "no-such-item" }]) {
      const missing = await mint(user, body);
      expect([missing.status, errorCode(missing)]).toEqual([404, "not_found"]);
    }
  });

  it("refuses everyone else: 401 anonymous, 403 for a visible item not owned, 404 for a draft one, 403 for a token without catalog:read", async () => {
    const item = await itemWith();
    const draft = await itemWith([{ version: "1.0.0" }], {}, "draft");
    const { user } = await owner(item);
    const stranger = await createUser("dl-stranger");

    expect((await call("POST", "/v1/me/downloads", { body: { item: item.slug } })).status).toBe(401);
    const notOwned = await mint(stranger, { item: item.slug });
    expect([notOwned.status, errorCode(notOwned)]).toEqual([403, "forbidden"]);
    // Members of the author's org do not own the item either.
    expect((await mint(author, { item: item.slug })).status).toBe(403);
    const hidden = await mint(stranger, { item: draft.slug });
    expect([hidden.status, errorCode(hidden)]).toEqual([404, "not_found"]);

    const scoped = await call("POST", "/v1/me/tokens", { token: user.accessToken, body: { name: "no catalog", scopes: ["profile:read"] } });
    const refused = await call("POST", "/v1/me/downloads", { token: scoped.body.token, body: { item: item.slug } });
    expect([refused.status, errorCode(refused)]).toEqual([403, "insufficient_scope"]);
    const reader = await call("POST", "/v1/me/tokens", { token: user.accessToken, body: { name: "cli", scopes: ["catalog:read"] } });
    expect((await call("POST", "/v1/me/downloads", { token: reader.body.token, body: { item: item.slug } })).status).toBe(201);
  });
});

describe("downloading through a link", () => {
  it("streams exactly the published bundle with Content-Disposition, ETag and Content-Length, and counts it", async () => {
    const item = await itemWith();
    const { user, entitlementId } = await owner(item);
    const { url } = await link(user, { item: item.slug });
    const sha256 = await sha256Hex(item.bundles["1.0.0"]!);

    const res = await download(url);
    expect(res.status).toBe(200);
    expect(await sha256Hex(res.bytes)).toBe(sha256);
    expect(res.headers.get("content-length")).toBe("65536");
    expect(res.headers.get("content-type")).toBe("application/gzip");
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="${item.slug}-1.0.0.tar.gz"; filename*=UTF-8''${item.slug}-1.0.0.tar.gz`,
    );
    expect(res.headers.get("etag")).toBe(`"${sha256}"`);
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    expect(res.headers.get("last-modified")).toMatch(/GMT$/);
    expect(res.headers.get("cache-control")).toBe("private, no-cache");

    expect(await usesOf(url)).toBe(1);
    // The item's total moves on the tally job's next run, not in the download's batch.
    expect(await itemDownloads(item.id)).toBe(0);
    expect(await tally()).toBeGreaterThanOrEqual(1);
    expect(await itemDownloads(item.id)).toBe(1);
    expect((await call("GET", `/v1/items/${item.slug}`)).body.downloads).toBe(1);
    const log = await env.DB.prepare("SELECT * FROM downloads WHERE item_id = ?").bind(item.id).all();
    expect(log.results).toEqual([
      expect.objectContaining({
        org_id: orgId,
        user_id: user.id,
        entitlement_id: entitlementId,
        token_id: tokenOf(url).split(".")[1],
        range_start: 0,
        bytes: 65_536,
        counted: 1,
      }),
    ]);
  });

  it("serves a Range as 206 with Content-Range, a suffix range, and 416 past the end; only a range from byte 0 counts as a new download", async () => {
    const item = await itemWith();
    const bytes = item.bundles["1.0.0"]!;
    const { user } = await owner(item);
    const { url } = await link(user, { item: item.slug });

    const head = await download(url, { range: "bytes=0-99" });
    expect(head.status).toBe(206);
    expect(head.headers.get("content-range")).toBe("bytes 0-99/65536");
    expect(head.headers.get("content-length")).toBe("100");
    expect(head.bytes).toEqual(bytes.slice(0, 100));

    const resumed = await download(url, { range: "bytes=65000-" });
    expect([resumed.status, resumed.headers.get("content-range")]).toEqual([206, "bytes 65000-65535/65536"]);
    expect(resumed.bytes).toEqual(bytes.slice(65_000));

    const suffix = await download(url, { range: "bytes=-10" });
    expect([suffix.status, suffix.headers.get("content-range")]).toEqual([206, "bytes 65526-65535/65536"]);
    expect(suffix.bytes).toEqual(bytes.slice(-10));

    const past = await download(url, { range: "bytes=65536-" });
    expect([past.status, errorCode(past)]).toEqual([416, "range_not_satisfiable"]);
    expect(past.headers.get("content-range")).toBe("bytes */65536");

    // Three ranges sent bytes and spent a use each; the 416 did not. Only the first began at byte 0.
    expect(await usesOf(url)).toBe(3);
    await tally();
    expect(await itemDownloads(item.id)).toBe(1);
    expect(await countRows("SELECT 1 FROM downloads WHERE item_id = ?", item.id)).toBe(3);
  });

  it("answers If-None-Match with 304 and honours If-Range only for the current ETag; HEAD and 304 spend no use", async () => {
    const item = await itemWith();
    const { user } = await owner(item);
    const { url } = await link(user, { item: item.slug });
    const etag = `"${await sha256Hex(item.bundles["1.0.0"]!)}"`;

    const cached = await download(url, { "if-none-match": etag });
    expect([cached.status, cached.bytes.length, cached.headers.get("etag")]).toEqual([304, 0, etag]);
    expect((await download(url, { "if-none-match": `W/${etag}` })).status).toBe(304);
    const head = await download(url, {}, "HEAD");
    expect([head.status, head.bytes.length, head.headers.get("content-length")]).toEqual([200, 0, "65536"]);
    expect(await usesOf(url)).toBe(0);

    expect((await download(url, { "if-none-match": '"something-else"' })).status).toBe(200);
    const partial = await download(url, { range: "bytes=10-19", "if-range": etag });
    expect([partial.status, partial.bytes.length]).toEqual([206, 10]);
    const changed = await download(url, { range: "bytes=10-19", "if-range": '"an-older-bundle"' });
    expect([changed.status, changed.bytes.length]).toEqual([200, 65_536]);
    expect(await usesOf(url)).toBe(3);
  });

  it("allows a link 5 requests that send bytes, also when they race; then 429 with Retry-After", async () => {
    const item = await itemWith();
    const { user } = await owner(item);
    const { url, maxUses } = await link(user, { item: item.slug });
    expect(maxUses).toBe(5);

    const raced = await Promise.all(Array.from({ length: 2 * maxUses }, () => download(url)));
    expect(statusCounts(raced)).toEqual({ 200: maxUses, 429: maxUses });
    for (const refused of raced.filter((r) => r.status === 429)) {
      expect(errorCode({ status: 429, body: refused.body, headers: refused.headers })).toBe("rate_limited");
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(refused.body!.error.message).toMatch(/used 5 times/);
    }
    expect(await usesOf(url)).toBe(5);
    await tally();
    expect(await itemDownloads(item.id)).toBe(5);
    expect((await download(url)).status).toBe(429);
    // A fresh link works again (the buyer is under the daily limit).
    expect((await download((await link(user, { item: item.slug })).url)).status).toBe(200);
  });

  it("allows a buyer 10 downloads of an item in any 24 hours, over all their links; then 429 until the oldest leaves the window", async () => {
    const item = await itemWith();
    const { user } = await owner(item);
    const other = await owner(item, "dl-other");
    const links = [await link(user, { item: item.slug }), await link(user, { item: item.slug }), await link(user, { item: item.slug })];
    for (const l of links.slice(0, 2)) for (let i = 0; i < 5; i++) expect((await download(l.url)).status).toBe(200);

    const refused = await download(links[2]!.url);
    expect([refused.status, refused.body!.error.code]).toEqual([429, "rate_limited"]);
    expect(refused.body!.error.message).toMatch(/10 times in the last 24 hours/);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(86_000);
    expect(retryAfter).toBeLessThanOrEqual(86_400);
    // The refused request spent nothing, and other buyers are not affected.
    expect(await usesOf(links[2]!.url)).toBe(0);
    expect((await download((await link(other.user, { item: item.slug })).url)).status).toBe(200);

    // Once the first download is over a day old, there is room for exactly one more.
    const first = await env.DB.prepare("SELECT id FROM downloads WHERE user_id = ? AND item_id = ? ORDER BY created_at, id LIMIT 1")
      .bind(user.id, item.id)
      .first<{ id: string }>();
    await env.DB.prepare("UPDATE downloads SET created_at = created_at - ? WHERE id = ?")
      .bind(DAY + 1000, first!.id)
      .run();
    expect((await download(links[2]!.url)).status).toBe(200);
    expect((await download(links[2]!.url)).status).toBe(429);
  });

  it("a burst of twice the daily limit over several links: exactly 10 downloads, the rest 429", async () => {
    const item = await itemWith();
    const { user } = await owner(item);
    const links = await Promise.all(Array.from({ length: 4 }, () => link(user, { item: item.slug })));
    // Five requests per link: each link has a use for every one, so only the daily limit refuses.
    const raced = await Promise.all(links.flatMap((l) => Array.from({ length: 5 }, () => download(l.url))));
    expect(statusCounts(raced)).toEqual({ 200: 10, 429: 10 });
    for (const refused of raced.filter((r) => r.status === 429))
      expect(refused.body!.error.message).toMatch(/10 times in the last 24 hours/);
    const uses = await Promise.all(links.map((l) => usesOf(l.url)));
    expect(uses.reduce((a, b) => a + b)).toBe(10);
    await tally();
    expect(await itemDownloads(item.id)).toBe(10);
  });

  it("is 410 once expired: by the expiry it was signed with, or by its row", async () => {
    const item = await itemWith();
    const { user, entitlementId } = await owner(item);
    const { url } = await link(user, { item: item.slug, ttlSeconds: 60 });
    const [, tokenId, , versionId] = tokenOf(url).split(".");
    await env.DB.prepare("UPDATE download_tokens SET expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1, tokenId)
      .run();
    const expired = await download(url);
    expect([expired.status, expired.body!.error.code]).toEqual([410, "gone"]);
    expect(expired.body!.error.message).toMatch(/expired/);

    // A correctly signed token whose own expiry passed (its row would still allow it).
    const { url: live } = await link(user, { item: item.slug });
    const { token } = await signDownloadToken(env.DOWNLOAD_TOKEN_KEYS, {
      tokenId: tokenOf(live).split(".")[1]!,
      entitlementId,
      versionId: versionId!,
      expiresAt: Date.now() - 1,
    });
    expect((await download(`/download/${token}`)).status).toBe(410);
    expect(await countRows("SELECT 1 FROM downloads WHERE item_id = ?", item.id)).toBe(0);
  });

  it("gives every malformed, forged or unknown link the same 403 and spends nothing", async () => {
    const item = await itemWith([{ version: "1.0.0" }, { version: "1.1.0" }]);
    const { user, entitlementId } = await owner(item);
    const { url } = await link(user, { item: item.slug, version: "1.0.0" });
    const token = tokenOf(url);
    const parts = token.split(".");
    const otherVersion = (await env.DB.prepare("SELECT id FROM versions WHERE item_id = ? AND version = '1.1.0'")
      .bind(item.id)
      .first<{ id: string }>())!.id;
    const flip = (s: string, i: number) => `${s.slice(0, i)}${s[i] === "A" ? "B" : "A"}${s.slice(i + 1)}`;
    const foreignKey = `d1:${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "")}`;
    const unknownRow = (
      await signDownloadToken(env.DOWNLOAD_TOKEN_KEYS, {
        tokenId: newId("downloadToken"),
        entitlementId,
        versionId: parts[3]!,
        expiresAt: Date.now() + 60_000,
      })
    ).token;
    const candidates = [
      "garbage",
      "a.b.c.d.e.f",
      "x".repeat(2000),
      encodeURIComponent("<script>"),
      [...parts.slice(0, 5), flip(parts[5]!, 5)].join("."),
      [...parts.slice(0, 3), otherVersion, ...parts.slice(4)].join("."),
      [...parts.slice(0, 4), String(Number(parts[4]) + 3_600_000), parts[5]].join("."),
      ["zz", ...parts.slice(1)].join("."),
      (await signDownloadToken(foreignKey, { tokenId: parts[1]!, entitlementId, versionId: parts[3]!, expiresAt: Number(parts[4]) })).token,
      unknownRow,
    ];
    const answers = [];
    for (const candidate of candidates) {
      const res = await download(`/download/${candidate}`);
      answers.push({
        status: res.status,
        code: res.body?.error?.code,
        message: res.body?.error?.message,
        type: res.headers.get("content-type"),
        requestId: typeof res.body?.error?.requestId,
      });
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]).toEqual({
      status: 403,
      code: "forbidden",
      message: "This download link is not valid",
      type: expect.stringContaining("application/json"),
      requestId: "string",
    });
    expect(await usesOf(url)).toBe(0);
    expect((await download(url)).status).toBe(200);
  });

  it("stops working (403) once the entitlement is revoked or lapses, or the item is removed", async () => {
    const item = await itemWith();
    const { user, entitlementId } = await owner(item);
    const { url } = await link(user, { item: item.slug });
    const revoke = await call("POST", `/v1/operator/entitlements/${entitlementId}/revoke`, {
      token: operator.accessToken,
      body: { reason: "chargeback" },
    });
    expect(revoke.status).toBe(200);
    const revoked = await download(url);
    expect([revoked.status, revoked.body!.error.code, revoked.body!.error.message]).toEqual([
      403,
      "forbidden",
      "You no longer have access to this item",
    ]);
    expect((await mint(user, { item: item.slug })).status).toBe(403);

    const lapsing = await owner(item, "dl-lapsing");
    const { url: lapsingUrl } = await link(lapsing.user, { item: item.slug });
    await env.DB.prepare("UPDATE entitlements SET expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1, lapsing.entitlementId)
      .run();
    expect((await download(lapsingUrl)).status).toBe(403);

    const kept = await owner(item, "dl-kept");
    const { url: keptUrl } = await link(kept.user, { item: item.slug });
    await env.DB.prepare("UPDATE items SET status = 'removed' WHERE id = ?").bind(item.id).run();
    const removed = await download(keptUrl);
    expect([removed.status, removed.body!.error.code]).toEqual([403, "forbidden"]);
    expect((await mint(kept.user, { item: item.slug })).status).toBe(403);
    expect(await countRows("SELECT 1 FROM downloads WHERE item_id = ?", item.id)).toBe(0);
  });
});

describe("a yanked version", () => {
  it("stays downloadable for buyers who had it (entitlement before the yank, or an earlier download), and is 404 to mint / 410 to download for new ones", async () => {
    const item = await itemWith([{ version: "1.0.0" }, { version: "1.1.0" }]);
    const early = await owner(item, "dl-early");
    const earlyLink = await link(early.user, { item: item.slug });
    expect(earlyLink.version).toBe("1.1.0");
    // Later-buyer stand-ins: their entitlements are moved after the yank below, as if they bought later.
    const fetched = await owner(item, "dl-fetched");
    const fetchedLink = await link(fetched.user, { item: item.slug, version: "1.1.0" });
    expect((await download(fetchedLink.url)).status).toBe(200);
    const never = await owner(item, "dl-never");
    const neverLink = await link(never.user, { item: item.slug, version: "1.1.0" });

    expect((await call("POST", `/v1/orgs/${orgId}/items/${item.id}/versions/1.1.0/yank`, { token: author.accessToken })).status).toBe(200);
    const { yanked_at: yankedAt } = (await env.DB.prepare("SELECT yanked_at FROM versions WHERE item_id = ? AND version = '1.1.0'")
      .bind(item.id)
      .first<{ yanked_at: number }>())!;
    for (const e of [fetched, never])
      await env.DB.prepare("UPDATE entitlements SET created_at = ? WHERE id = ?")
        .bind(yankedAt + 1, e.entitlementId)
        .run();
    const late = await owner(item, "dl-late");

    // Had it: entitlement from before the yank.
    const earlyRes = await download(earlyLink.url);
    expect([earlyRes.status, await sha256Hex(earlyRes.bytes)]).toEqual([200, await sha256Hex(item.bundles["1.1.0"]!)]);
    expect((await link(early.user, { item: item.slug, version: "1.1.0" })).version).toBe("1.1.0");
    // Had it: downloaded it before.
    expect((await download(fetchedLink.url)).status).toBe(200);
    expect((await link(fetched.user, { item: item.slug, version: "1.1.0" })).version).toBe("1.1.0");
    // New owners: an old link is gone, and the version cannot be named; the default skips it.
    const gone = await download(neverLink.url);
    expect([gone.status, gone.body!.error.code]).toEqual([410, "gone"]);
    expect(gone.body!.error.message).toMatch(/1\.1\.0 was withdrawn/);
    for (const u of [never.user, late.user]) {
      const named = await mint(u, { item: item.slug, version: "1.1.0" });
      expect([named.status, errorCode(named)]).toEqual([404, "not_found"]);
      expect((await link(u, { item: item.slug })).version).toBe("1.0.0");
    }
  });
});

describe("a purchase", () => {
  it("downloads after paying, and stops (403) once the order is refunded", async () => {
    await onboardSeller(author, orgId);
    const item = await itemWith([{ version: "1.0.0" }], { pricing: { model: "one_time", amount: 1900, currency: "usd" } });
    const buyer = await createUser("dl-payer");
    expect((await mint(buyer, { item: item.slug })).status).toBe(403);
    await buy(item.slug, { buyer });
    const order = await eventually(
      async () => (await call("GET", "/v1/me/orders", { token: buyer.accessToken })).body.data[0],
      "the order",
    );

    const { url } = await link(buyer, { item: item.slug });
    const res = await download(url);
    expect([res.status, await sha256Hex(res.bytes)]).toEqual([200, await sha256Hex(item.bundles["1.0.0"]!)]);

    const refund = await call("POST", `/v1/orgs/${orgId}/orders/${order.id}/refund`, {
      token: author.accessToken,
      body: { reason: "Asked within 14 days" },
    });
    expect(refund.status, JSON.stringify(refund.body)).toBe(202);
    await eventually(
      async () =>
        (await countRows("SELECT 1 FROM entitlements WHERE user_id = ? AND item_id = ? AND status = 'revoked'", buyer.id, item.id)) === 1
          ? true
          : undefined,
      "the refund to revoke the entitlement",
    );
    await stripeEventsSettled();
    expect((await download(url)).status).toBe(403);
    expect((await mint(buyer, { item: item.slug })).status).toBe(403);
  });
});

describe("maintenance", () => {
  it("purges links a day after they expired or were used up, and keeps the download log", async () => {
    const item = await itemWith();
    const { user } = await owner(item);
    const now = Date.now();
    const made = [];
    for (let i = 0; i < 5; i++) made.push(tokenOf((await link(user, { item: item.slug })).url).split(".")[1]!);
    const [expiredLongAgo, spentLongAgo, spentRecently, live, expiredRecently] = made;
    const set = (id: string, sql: string, ...params: unknown[]) =>
      env.DB.prepare(`UPDATE download_tokens SET ${sql} WHERE id = ?`)
        .bind(...params, id)
        .run();
    await set(expiredLongAgo!, "expires_at = ?", now - DAY - 60_000);
    await set(spentLongAgo!, "uses = max_uses, last_used_at = ?", now - DAY - 60_000);
    await set(spentRecently!, "uses = max_uses, last_used_at = ?", now - 60_000);
    await set(expiredRecently!, "expires_at = ?", now - 60_000);
    await env.DB.prepare(
      "INSERT INTO downloads (id, org_id, item_id, version_id, user_id, entitlement_id, token_id, range_start, bytes, counted, created_at) SELECT ?, org_id, item_id, version_id, user_id, entitlement_id, id, 0, 1, 1, ? FROM download_tokens WHERE id = ?",
    )
      .bind(newId("download"), now - DAY, spentLongAgo)
      .run();

    const job = JOBS["purge-download-links"]!;
    expect(await job(jobContext(env, now))).toBe(2);
    const left = await env.DB.prepare(`SELECT id FROM download_tokens WHERE id IN (${made.map(() => "?").join(",")})`)
      .bind(...made)
      .all<{ id: string }>();
    expect(left.results.map((r) => r.id).sort()).toEqual([spentRecently, live, expiredRecently].sort());
    expect(await countRows("SELECT 1 FROM downloads WHERE token_id = ?", spentLongAgo)).toBe(1);
    expect(await job(jobContext(env, now))).toBe(0);
  });
});

describe("counting downloads (the tally job)", () => {
  /** The item's downloads over all its daily rollups. */
  const rolledUp = async (itemId: string) =>
    (await env.DB.prepare("SELECT coalesce(sum(downloads), 0) AS n FROM analytics_daily WHERE item_id = ?")
      .bind(itemId)
      .first<{ n: number }>())!.n;
  const itemRow = (itemId: string) => env.DB.prepare("SELECT downloads, updated_at FROM items WHERE id = ?").bind(itemId).first();
  /** A download row written as the service writes it (its `seq` in commit order), for a link's buyer at `at`. */
  const logged = (tokenId: string, at: number) =>
    env.DB.prepare(
      `INSERT INTO downloads (id, org_id, item_id, version_id, user_id, entitlement_id, token_id, range_start, bytes, counted, created_at, seq)
       SELECT ?, org_id, item_id, version_id, user_id, entitlement_id, id, 0, 1, 1, ?,
         1 + max(coalesce((SELECT max(seq) FROM downloads), 0), coalesce((SELECT seq FROM download_tally), 0)) FROM download_tokens WHERE id = ?`,
    ).bind(newId("download"), at, tokenId);

  it("a download's batch leaves the item's row and rollup alone; the tally counts each download once over two runs and a re-run", async () => {
    const item = await itemWith();
    const { user } = await owner(item);
    await tally();
    const before = await itemRow(item.id);
    const { url } = await link(user, { item: item.slug });
    expect((await download(url)).status).toBe(200);
    expect((await download(url)).status).toBe(200);
    expect(await itemRow(item.id)).toEqual(before);
    expect(await rolledUp(item.id)).toBe(0);

    expect(await tally()).toBe(2);
    expect([await itemDownloads(item.id), await rolledUp(item.id)]).toEqual([2, 2]);
    expect((await download(url)).status).toBe(200);
    expect(await tally()).toBe(1);
    expect(await tally()).toBe(0);
    expect([await itemDownloads(item.id), await rolledUp(item.id)]).toEqual([3, 3]);
    expect((await call("GET", `/v1/items/${item.slug}`)).body.downloads).toBe(3);
  });

  it("counts every one of concurrent downloads of an item once, while tally runs race them and each other", async () => {
    const item = await itemWith();
    const buyers = await Promise.all([1, 2, 3].map((i) => owner(item, `dl-racer-${i}`)));
    const links = await Promise.all(buyers.map(({ user }) => link(user, { item: item.slug })));
    await tally();
    const [raced, during] = await Promise.all([
      Promise.all(links.flatMap((l) => Array.from({ length: 5 }, () => download(l.url)))),
      Promise.all([tally(), tally(), tally()]),
    ]);
    expect(statusCounts(raced)).toEqual({ 200: 15 });
    const after = await Promise.all([tally(), tally()]);
    expect([...during, ...after].reduce((a, b) => a + b)).toBe(15);
    expect([await itemDownloads(item.id), await rolledUp(item.id)]).toEqual([15, 15]);
    expect(await tally()).toBe(0);
  });

  it("works in batches of batchSize rows and TALLY_BUCKETS item-days, TALLY_ROUNDS batches a run; the next run goes on", async () => {
    const item = await itemWith();
    const { user } = await owner(item);
    const tokenId = tokenOf((await link(user, { item: item.slug })).url).split(".")[1]!;
    await tally();
    // One download on each of TALLY_BUCKETS + 5 days: two batches in one run, one rollup bucket a day.
    const now = Date.now();
    const days = TALLY_BUCKETS + 5;
    await env.DB.batch(Array.from({ length: days }, (_, i) => logged(tokenId, now - i * DAY)));
    expect(await tally()).toBe(days);
    expect(await countRows("SELECT 1 FROM analytics_daily WHERE item_id = ? AND downloads = 1", item.id)).toBe(days);
    expect(await itemDownloads(item.id)).toBe(days);

    // One row a batch: a run stops after TALLY_ROUNDS of them, the next one counts the rest.
    await env.DB.batch(Array.from({ length: TALLY_ROUNDS + 2 }, () => logged(tokenId, now)));
    expect(await tally(1)).toBe(TALLY_ROUNDS);
    expect(await tally(1)).toBe(2);
    expect([await itemDownloads(item.id), await rolledUp(item.id)]).toEqual([days + TALLY_ROUNDS + 2, days + TALLY_ROUNDS + 2]);
  });

  it("a download recorded after the newest tallied rows were deleted still lands past the tally's position", async () => {
    const item = await itemWith();
    const { user } = await owner(item);
    const { url } = await link(user, { item: item.slug });
    expect((await download(url)).status).toBe(200);
    expect(await tally()).toBe(1);
    // As deleting an item deletes its downloads: the log's newest rows, already counted, are gone.
    await env.DB.prepare("DELETE FROM downloads WHERE seq = (SELECT max(seq) FROM downloads)").run();
    expect((await download(url)).status).toBe(200);
    expect(await tally()).toBe(1);
    expect(await itemDownloads(item.id)).toBe(2);
  });
});
