// A synthetic "day" of Plaza traffic against the shared `wrangler dev` (issue #22): per request type,
// how many, p50/p99 latency and that p50 ÷ the bare route's p50 in the same stream, and the D1 rows
// read and written per request (BENCH=1's x-d1-rows-read / x-d1-rows-written, the whole request's
// D1 work, worker/src/bench/d1-meter.ts). Writes bench/results/scale.json for docs/scale.md.
//
// The mix, per 1,000 requests of the day (BENCH_SCALE_REQUESTS of them, BENCH_SCALE_CONCURRENCY at
// a time, in an order drawn from a seeded PRNG, so every run replays the same day):
//   400 storefront: 80 home (GET /), 320 item pages (GET /items/:slug, Zipf over the catalog)
//   150 search (GET /v1/search: Zipf over the catalog's own words; 1 word, 2 words, or + category)
//    60 item API (GET /v1/items/:slug, what plugins and the CLI read; Zipf)
//   130 signed-in dashboard reads (Zipf over buyers): 50 GET /v1/me, 30 GET /v1/me/orders,
//       20 GET /v1/me/licenses, 30 the author's GET /v1/orgs/:orgId/items
//   120 license validations (POST /v1/licenses/validate; Zipf over the bought keys, 1 in 10 unknown)
//    80 downloads (GET /download/:token, Zipf over buyers × the free items with bundles); a buyer's
//       first download of an item first gets it (POST /v1/items/:slug/get) and mints a link
//       (POST /v1/me/downloads): those are their own types, so the day has a few more requests
//    60 baseline (GET /__bench/bare, no middleware, no D1): the p50 the ratios divide by
// Why this shape: the demo's (one selling org, a few paid items, ~2 orders a day, buyers reading
// their purchases) scaled to a storefront whose traffic is mostly anonymous browsing and search,
// then installed plugins checking their licenses, then the few signed-in people.
// Around the day, bounded and measured on their own (they are slow, or do not go through the
// Worker's fetch):
//   purchases (BENCH_SCALE_PURCHASES): checkout → Pay on the Stripe emulator → key, one at a time,
//     before the day (its license validations use the keys); the checkout request's D1 rows, and
//     the end-to-end time (the rest is webhook → queue → consumer: rows n/a)
//   webhook deliveries (BENCH_SCALE_WEBHOOKS): queued through /__bench/webhooks/enqueue to a
//     receiver in this process: deliveries/s; the producer's rows written per delivery from the
//     enqueue request's header; then the plaza-webhooks consumer itself on 2 batches of 100 run
//     inside a request (/__bench/webhooks/consume), whose header gives its D1 rows per delivery
//   room edits (BENCH_SCALE_ROOM_EDITS): 2 Y.js clients in one room of Plaza's rooms under
//     `partykit dev` (started at the beginning, in parallel); edit → peer latency; rows n/a
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { secret } from "../scripts/lib/processes.mjs";
import { buyItem, onboardSeller, publishItem } from "./lib/marketplace.mjs";
import { assertBareRouteServedByWorker, call, createSignedInUser, createSignedInUserWithOrg } from "./lib/plaza-api.mjs";
import { fmt, table } from "./lib/print.mjs";
import { mulberry32 } from "./lib/prng.mjs";
import { applyEdit, clockOf, connectRoom, editTrace, withTimeout } from "./lib/room-peers.mjs";
import { startPlazaRooms } from "./lib/room-servers.mjs";
import { generateCatalog, seedCatalog } from "./lib/seed-catalog.mjs";
import { quantile } from "./lib/timing.mjs";
import { allowExtensionlessTsImports } from "./lib/ts-imports.mjs";
import { weightedPicker, zipfSampler } from "./lib/zipf.mjs";

export const description =
  "a synthetic day (Zipf items and buyers): per request type count, p50/p99, p50 ÷ bare p50, D1 rows read/written per request; purchases, webhook deliveries/s, room edits";

const int = (name, fallback) => {
  const value = process.env[name] === undefined || process.env[name] === "" ? fallback : Number(process.env[name]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number ≥ 0, not ${process.env[name]}`);
  return value;
};
const SETTINGS = {
  requests: int("BENCH_SCALE_REQUESTS", 2000),
  /** The day stops here if the requests are not done yet (a busy machine): bounded either way. */
  seconds: Math.max(1, int("BENCH_SCALE_SECONDS", 60)),
  concurrency: Math.max(1, int("BENCH_SCALE_CONCURRENCY", 4)),
  items: Math.max(10, int("BENCH_SCALE_ITEMS", 2000)),
  buyers: Math.max(1, int("BENCH_SCALE_BUYERS", 12)),
  purchases: int("BENCH_SCALE_PURCHASES", 3),
  webhooks: int("BENCH_SCALE_WEBHOOKS", 500),
  roomEdits: int("BENCH_SCALE_ROOM_EDITS", 50),
  seed: int("BENCH_SCALE_SEED", 22),
};
/** Unmeasured requests of the same mix first (JIT, first cache fills, first rows in new tables). */
const WARMUP_REQUESTS = Math.min(200, Math.ceil(SETTINGS.requests / 10));
const WARMUP_MAX_SECONDS = 10;
/** Free items with real bundles that the day's downloads spread over (Zipf), and their size. */
const DOWNLOADABLE_ITEMS = 3;
const BUNDLE_BYTES = 64 * 1024;
/** Signups at a time while setting up the buyers (each login is a scrypt in the Worker). */
const SIGNUP_PARALLEL = 4;
const LINK_TTL_SECONDS = 86_400;
const UNKNOWN_KEY_SHARE = 0.1;
const WEBHOOK_TIMEOUT_MS = 60_000;
/** wrangler.toml's max_batch_size for plaza-webhooks; the consumer is also run on this many in a request, this many times. */
const WEBHOOK_BATCH_SIZE = 100;
const WEBHOOK_CONSUMER_BATCHES = 2;
const ROOM_EDIT_TIMEOUT_MS = 30_000;
const RESULTS_FILE = join(dirname(fileURLToPath(import.meta.url)), "results/scale.json");

/** Per 1,000 requests of the day: the header comment explains them. */
export const MIX = {
  home: 80,
  itemPage: 320,
  search: 150,
  itemApi: 60,
  me: 50,
  orders: 30,
  licenses: 20,
  authorItems: 30,
  validate: 120,
  download: 80,
  bare: 60,
};

/** How each request type is named in the table and the JSON (in this order). */
const TYPES = {
  bare: "baseline GET /__bench/bare",
  home: "storefront home GET /",
  itemPage: "storefront item page GET /items/:slug",
  search: "search GET /v1/search",
  itemApi: "item API GET /v1/items/:slug",
  me: "GET /v1/me",
  orders: "purchases GET /v1/me/orders",
  licenses: "GET /v1/me/licenses",
  authorItems: "author's items GET /v1/orgs/:orgId/items",
  validate: "license validation POST /v1/licenses/validate",
  getFree: "get a free item POST /v1/items/:slug/get",
  mintLink: "mint download link POST /v1/me/downloads",
  download: "download GET /download/:token",
  checkout: "checkout POST /v1/items/:slug/checkout",
};

const CATEGORIES = ["editor", "ai", "productivity", "integrations", "themes", "analytics", "developer-tools", "other"];
const LICENSE_KEY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const shortId = () => randomBytes(4).toString("hex");
/** Asks the BENCH=1 Worker for the request's D1 figures (worker/src/bench/d1-meter.ts). */
const METER = { "x-bench-d1-meter": "1" };

/** One timed request: latency to the last byte, status, and the D1 meter's headers (null when absent). */
async function timed(url, { method = "GET", path, token, body }) {
  const headers = { accept: "application/json", ...METER };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const started = performance.now();
  const res = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const ms = performance.now() - started;
  const header = (name) => (res.headers.has(name) ? Number(res.headers.get(name)) : null);
  return {
    ms,
    status: res.status,
    text,
    rowsRead: header("x-d1-rows-read"),
    rowsWritten: header("x-d1-rows-written"),
    queries: header("x-d1-queries"),
    cache: res.headers.get("x-cache"),
  };
}

/** The words of the catalog's text, commonest first (what people search for follows the same skew). */
function searchWords(docFrequency) {
  return [...docFrequency.entries()]
    .filter(([w]) => w.length > 2 && !/^\d+$/.test(w))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 400)
    .map(([w]) => w);
}

/** Seeds the catalog unless an earlier bench of the same run (search) already did: same PRNG, same first items. */
async function ensureCatalog(url, persistTo, log) {
  const catalog = generateCatalog({ count: SETTINGS.items });
  const probe = await fetch(`${url}/v1/items/${catalog.items[0].slug}`);
  await probe.arrayBuffer();
  if (probe.status === 200) {
    log(`catalog: already seeded in this run (the search bench's); the day uses its first ${SETTINGS.items} items`);
    return catalog;
  }
  const dir = mkdtempSync(join(tmpdir(), "plaza-bench-scale-"));
  try {
    await seedCatalog(persistTo, join(dir, "catalog.sql"), { count: SETTINGS.items });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return catalog;
}

async function inBatches(count, parallel, make) {
  const out = [];
  for (let i = 0; i < count; i += parallel) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(parallel, count - i) }, (_, j) => make(i + j)))));
  }
  return out;
}

/** A node:http receiver on 127.0.0.1 that answers 200 at once and counts what arrived. */
async function startReceiver() {
  let count = 0;
  let lastAt = 0;
  const waiters = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      count++;
      lastAt = performance.now();
      for (const w of waiters.filter((w) => count >= w.count)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(lastAt);
      }
    });
  });
  server.keepAliveTimeout = 75_000;
  await new Promise((resolve, reject) => server.listen(0, "127.0.0.1", resolve).once("error", reject));
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    count: () => count,
    waitFor: (n) => (count >= n ? Promise.resolve(lastAt) : new Promise((resolve) => waiters.push({ count: n, resolve }))),
    close: () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  };
}

/**
 * The plaza-webhooks consumer on whole batches, run inside a request (/__bench/webhooks/consume) so
 * the D1 meter sees its work: deliveries written without queueing, then consumed a batch at a time.
 */
async function consumeDirectly(url, orgId, endpointId, receiver) {
  const total = { rowsRead: 0, rowsWritten: 0, queries: 0, ms: 0, deliveries: 0, batches: 0 };
  for (let i = 0; i < WEBHOOK_CONSUMER_BATCHES; i++) {
    const before = receiver.count();
    const { ids } = await call(url, "POST", "/__bench/webhooks/enqueue", {
      body: { orgId, endpointId, count: WEBHOOK_BATCH_SIZE, queue: false },
    });
    const r = await timed(url, { method: "POST", path: "/__bench/webhooks/consume", body: { ids } });
    if (r.status !== 200) throw new Error(`POST /__bench/webhooks/consume → ${r.status}: ${r.text.slice(0, 200)}`);
    const outcome = JSON.parse(r.text);
    // ≥: a straggler of the queued run may arrive meanwhile (at-least-once delivery).
    if (outcome.acked !== ids.length || receiver.count() - before < ids.length)
      throw new Error(
        `the consumer acked ${outcome.acked} and delivered ${receiver.count() - before} of ${ids.length} deliveries (retried ${outcome.retried})`,
      );
    total.rowsRead += r.rowsRead;
    total.rowsWritten += r.rowsWritten;
    total.queries += r.queries;
    total.ms += outcome.ms;
    total.deliveries += ids.length;
    total.batches++;
  }
  return {
    batches: total.batches,
    deliveries: total.deliveries,
    rowsReadPerDelivery: total.rowsRead / total.deliveries,
    rowsWrittenPerDelivery: total.rowsWritten / total.deliveries,
    queriesPerBatch: total.queries / total.batches,
    msPerBatch: total.ms / total.batches,
  };
}

/** The day's operations, drawn in advance from the seeded PRNG (so the same every run). */
function drawDay(n, random, { catalog, words, buyers, keys, downloadable }) {
  const pickType = weightedPicker(random, MIX);
  const pickItem = zipfSampler(random, catalog.items.length);
  const pickWord = zipfSampler(random, words.length);
  const pickBuyer = zipfSampler(random, buyers);
  const pickKey = keys > 0 ? zipfSampler(random, keys) : null;
  const pickDownloadable = zipfSampler(random, downloadable);
  const ops = [];
  for (let i = 0; i < n; i++) {
    const type = pickType();
    const op = { type };
    if (type === "itemPage" || type === "itemApi") op.item = pickItem();
    if (type === "search") {
      const shape = random();
      op.q = shape < 0.7 ? words[pickWord()] : `${words[pickWord()]} ${words[pickWord()]}`;
      if (shape >= 0.9) op.category = CATEGORIES[Math.floor(random() * CATEGORIES.length)];
    }
    if (["me", "orders", "licenses", "download"].includes(type)) op.buyer = pickBuyer();
    if (type === "download") op.item = pickDownloadable();
    if (type === "validate") op.key = pickKey && random() >= UNKNOWN_KEY_SHARE ? pickKey() : -1 - Math.floor(random() * 64);
    ops.push(op);
  }
  return ops;
}

function unknownKey(prefix, random) {
  const chars = Array.from({ length: 12 }, () => LICENSE_KEY_ALPHABET[Math.floor(random() * 32)]).join("");
  return `${prefix}-${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
}

/** Sums of one type's samples: latency percentiles and D1 rows per request (null: no header on some answer). */
function summarize(samples) {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const perRequest = (field) => {
    const values = samples.map((s) => s[field]);
    if (values.length === 0 || values.some((v) => v === null || Number.isNaN(v))) return null;
    return { mean: values.reduce((a, b) => a + b, 0) / values.length, max: Math.max(...values) };
  };
  const hits = samples.filter((s) => s.cache === "HIT").length;
  const misses = samples.filter((s) => s.cache && s.cache !== "HIT" && s.rowsRead !== null);
  return {
    count: samples.length,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    meanMs: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    rowsRead: perRequest("rowsRead"),
    rowsWritten: perRequest("rowsWritten"),
    d1Queries: perRequest("queries"),
    cacheHits: samples.some((s) => s.cache) ? hits : null,
    /** What an edge-cache miss reads (what the hit rate multiplies away). */
    rowsReadOnMiss: misses.length
      ? { mean: misses.reduce((a, s) => a + s.rowsRead, 0) / misses.length, max: Math.max(...misses.map((s) => s.rowsRead)) }
      : null,
  };
}

/** "3.2 (max 8)" */
const perRequest = (r) => (r ? `${r.mean.toFixed(r.mean < 10 ? 1 : 0)} (max ${r.max})` : "n/a");
const rows = (r) => (r ? `${r.mean.toFixed(r.mean < 10 ? 1 : 0)} / ${r.max}` : "n/a");

/** @param {{ worker: () => Promise<{ url: string, persistTo: string, stripeEmulator: () => Promise<{ url: string }> }>, log: (line?: string) => void, onAbort?: (stop: () => Promise<void>) => () => void }} ctx */
export async function run({ worker, log, onAbort = () => () => {} }) {
  const startedAt = Date.now();
  // Rooms: partykit dev starts while everything else is set up.
  let roomTokenSecret;
  let roomsStarting = null;
  if (SETTINGS.roomEdits > 0) {
    roomTokenSecret = secret();
    roomsStarting = startPlazaRooms({ roomTokenSecret });
    roomsStarting.catch(() => {});
  }
  const unregisterRooms = onAbort(async () => (await roomsStarting?.catch(() => null))?.stop());
  try {
    const { url, persistTo, stripeEmulator } = await worker();
    const phases = { workerS: (Date.now() - startedAt) / 1000 };
    const phaseStarted = { at: Date.now() };
    const endPhase = (name) => {
      phases[name] = (Date.now() - phaseStarted.at) / 1000;
      phaseStarted.at = Date.now();
    };
    await assertBareRouteServedByWorker(url);
    const probe = await timed(url, { path: "/__bench/bare" });
    if (probe.queries === null)
      throw new Error("GET /__bench/bare has no x-d1-queries header: the Worker's D1 meter (worker/src/bench/d1-meter.ts) is not mounted");
    const emulatorStarting = SETTINGS.purchases > 0 ? stripeEmulator() : null;
    emulatorStarting?.catch(() => {});

    // ---- setup: catalog, an author with downloadable and paid items, buyers
    const setupStarted = Date.now();
    // The catalog first: `wrangler d1 execute` writes the same SQLite file, and requests meanwhile fail (SQLITE_BUSY).
    const catalog = await ensureCatalog(url, persistTo, log);
    const [author, buyers] = await Promise.all([
      createSignedInUserWithOrg(url),
      inBatches(SETTINGS.buyers, SIGNUP_PARALLEL, () => createSignedInUser(url)),
    ]);
    const words = searchWords(catalog.docFrequency);
    const catalogItems = catalog.items.slice(0, SETTINGS.items);
    const downloadable = await Promise.all(
      Array.from({ length: DOWNLOADABLE_ITEMS }, () =>
        publishItem(url, author, { slug: `scale-free-${shortId()}`, pricing: { model: "free" }, bundle: randomBytes(BUNDLE_BYTES) }),
      ),
    );
    const paid =
      SETTINGS.purchases > 0
        ? await publishItem(url, author, {
            slug: `scale-paid-${shortId()}`,
            pricing: { model: "one_time", amount: 1900, currency: "usd" },
            bundle: randomBytes(4096),
          })
        : null;
    log(
      `setup ${((Date.now() - setupStarted) / 1000).toFixed(1)} s: catalog of ${catalogItems.length} items, ${buyers.length} signed-in buyers, ` +
        `an author with ${DOWNLOADABLE_ITEMS} free items (${BUNDLE_BYTES / 1024} KiB bundles)${paid ? " and a paid one" : ""}`,
    );

    endPhase("setupS");
    // ---- purchases (before the day: its validations use the keys)
    const purchases = [];
    const checkoutSamples = [];
    if (paid) {
      const emulator = await emulatorStarting;
      await onboardSeller(url, author);
      for (let i = 0; i < Math.min(SETTINGS.purchases, buyers.length); i++) {
        const started = performance.now();
        let checkout;
        const { licenseKey } = await buyItem(url, emulator.url, buyers[i], paid, {
          headers: METER,
          onCheckout: (res) => {
            checkout = {
              ms: performance.now() - started,
              status: res.status,
              rowsRead: Number(res.headers.get("x-d1-rows-read")),
              rowsWritten: Number(res.headers.get("x-d1-rows-written")),
              queries: Number(res.headers.get("x-d1-queries")),
              cache: null,
            };
          },
        });
        checkoutSamples.push(checkout);
        purchases.push({ buyer: i, licenseKey, endToEndMs: performance.now() - started });
      }
      // The purchases' other Stripe events (payment intent, charge, …) are handled before the day.
      const deadline = Date.now() + 30_000;
      while ((await call(url, "GET", "/__bench/stripe-events")).received) {
        if (Date.now() > deadline) throw new Error("the Stripe event consumer did not finish the purchases' events within 30 s");
        await new Promise((r) => setTimeout(r, 250));
      }
      const e2e = purchases.map((p) => p.endToEndMs).sort((a, b) => a - b);
      log(
        `purchases: ${purchases.length} on the emulator's hosted checkout, checkout → key p50 ${fmt.ms(quantile(e2e, 0.5))}, max ${fmt.ms(e2e.at(-1))}`,
      );
    }

    endPhase("purchasesS");
    // ---- the day
    const random = mulberry32(SETTINGS.seed);
    const keyPrefix = purchases[0]?.licenseKey.slice(0, 4) ?? "PLZA";
    const unknownKeys = Array.from({ length: 64 }, () => unknownKey(keyPrefix, random));
    const licenseSubject = paid?.slug ?? downloadable[0].slug;
    /** (buyer, item) → the link's path, once got and minted (a promise, so concurrent downloads share it). */
    const links = new Map();
    const samples = Object.fromEntries(Object.keys(TYPES).map((t) => [t, []]));
    const codes = {};
    const failures = [];
    let measuring = false;
    const record = (type, r, expect = (s) => s >= 200 && s < 300) => {
      if (!expect(r.status)) failures.push(`${TYPES[type]} → ${r.status}: ${r.text.slice(0, 160)}`);
      if (measuring) samples[type].push(r);
      return r;
    };
    const linkFor = (buyerIndex, itemIndex) => {
      const key = `${buyerIndex}:${itemIndex}`;
      if (!links.has(key)) {
        const buyer = buyers[buyerIndex];
        const item = downloadable[itemIndex];
        const minting = (async () => {
          record("getFree", await timed(url, { method: "POST", path: `/v1/items/${item.slug}/get`, token: buyer.accessToken }));
          const minted = record(
            "mintLink",
            await timed(url, {
              method: "POST",
              path: "/v1/me/downloads",
              token: buyer.accessToken,
              body: { item: item.slug, ttlSeconds: LINK_TTL_SECONDS },
            }),
          );
          return new URL(JSON.parse(minted.text).url).pathname;
        })();
        links.set(key, minting);
      }
      return links.get(key);
    };
    const perform = async (op) => {
      switch (op.type) {
        case "bare":
          return record(op.type, await timed(url, { path: "/__bench/bare" }));
        case "home":
          return record(op.type, await timed(url, { path: "/" }));
        case "itemPage":
          return record(op.type, await timed(url, { path: `/items/${catalogItems[op.item].slug}` }));
        case "itemApi":
          return record(op.type, await timed(url, { path: `/v1/items/${catalogItems[op.item].slug}` }));
        case "search": {
          const query = new URLSearchParams({ q: op.q, limit: "20", ...(op.category ? { category: op.category } : {}) });
          return record(op.type, await timed(url, { path: `/v1/search?${query}` }));
        }
        case "me":
          return record(op.type, await timed(url, { path: "/v1/me", token: buyers[op.buyer].accessToken }));
        case "orders":
          return record(op.type, await timed(url, { path: "/v1/me/orders?limit=20", token: buyers[op.buyer].accessToken }));
        case "licenses":
          return record(op.type, await timed(url, { path: "/v1/me/licenses", token: buyers[op.buyer].accessToken }));
        case "authorItems":
          return record(op.type, await timed(url, { path: `/v1/orgs/${author.orgId}/items`, token: author.accessToken }));
        case "validate": {
          const key = op.key >= 0 ? purchases[op.key].licenseKey : unknownKeys[-1 - op.key];
          const r = record(
            op.type,
            await timed(url, { method: "POST", path: "/v1/licenses/validate", body: { key, item: licenseSubject } }),
          );
          const code = r.status === 200 ? (/"code":"([a-z_]+)"/.exec(r.text)?.[1] ?? "unparsed") : `http_${r.status}`;
          const expected = op.key >= 0 ? "valid" : "not_found";
          if (code !== expected) failures.push(`validate answered ${code}, expected ${expected}`);
          if (measuring) codes[code] = (codes[code] ?? 0) + 1;
          return r;
        }
        case "download": {
          const path = await linkFor(op.buyer, op.item);
          const r = record(op.type, await timed(url, { path }));
          if (r.status === 200 && r.text.length === 0) failures.push("a download sent no bytes");
          return r;
        }
        default:
          throw new Error(`unknown op ${op.type}`);
      }
    };
    /** Replays `ops`, `concurrency` at a time, until they are done or `seconds` have passed (then the rest is left). */
    const replay = async (ops, seconds) => {
      let next = 0;
      const started = performance.now();
      const deadline = started + seconds * 1000;
      const lane = async () => {
        while (next < ops.length && failures.length === 0 && performance.now() < deadline) await perform(ops[next++]);
      };
      await Promise.all(Array.from({ length: SETTINGS.concurrency }, lane));
      if (failures.length)
        throw new Error(
          `${failures.length} unexpected answers during the day, e.g.:\n  ${[...new Set(failures)].slice(0, 5).join("\n  ")}`,
        );
      return { ms: performance.now() - started, done: next };
    };
    const shape = {
      catalog: { items: catalogItems },
      words,
      buyers: buyers.length,
      keys: purchases.length,
      downloadable: downloadable.length,
    };
    await replay(drawDay(WARMUP_REQUESTS, random, shape), WARMUP_MAX_SECONDS);
    measuring = true;
    const { ms: dayMs, done: dayOps } = await replay(drawDay(SETTINGS.requests, random, shape), SETTINGS.seconds);
    const cutShort = dayOps < SETTINGS.requests;
    measuring = false;
    samples.checkout = checkoutSamples;

    const measured = Object.values(samples).reduce((a, s) => a + s.length, 0) - checkoutSamples.length;
    log(
      `the day: ${measured.toLocaleString("en-US")} requests (${WARMUP_REQUESTS} warm-up before) in ${(dayMs / 1000).toFixed(1)} s, ` +
        (cutShort ? `STOPPED at BENCH_SCALE_SECONDS=${SETTINGS.seconds} after ${dayOps} of ${SETTINGS.requests} drawn, ` : "") +
        `${SETTINGS.concurrency} at a time: ${fmt.rps((measured * 1000) / dayMs)}; license answers ${JSON.stringify(codes)}`,
    );
    const summaries = Object.fromEntries(
      Object.entries(samples)
        .filter(([, s]) => s.length > 0)
        .map(([type, s]) => [type, summarize(s)]),
    );
    const bareP50 = summaries.bare?.p50Ms;
    const typeRows = Object.keys(TYPES)
      .filter((type) => summaries[type])
      .map((type) => {
        const s = summaries[type];
        // The checkouts ran before the day, one at a time: not comparable with the day's bare p50.
        const ratio = bareP50 && type !== "checkout" ? s.p50Ms / bareP50 : null;
        return { type, name: TYPES[type], ...s, p50OverBare: ratio };
      });

    endPhase("dayS");
    // ---- webhook deliveries
    let webhooks = null;
    if (SETTINGS.webhooks > 0) {
      const receiver = await startReceiver();
      try {
        const endpoint = await call(url, "POST", `/v1/orgs/${author.orgId}/webhooks/endpoints`, {
          token: author.accessToken,
          body: { url: receiver.url, description: "scale bench receiver" },
        });
        const started = performance.now();
        const done = receiver.waitFor(SETTINGS.webhooks);
        const enqueue = await timed(url, {
          method: "POST",
          path: "/__bench/webhooks/enqueue",
          body: { orgId: author.orgId, endpointId: endpoint.id, count: SETTINGS.webhooks },
        });
        if (enqueue.status !== 200) throw new Error(`POST /__bench/webhooks/enqueue → ${enqueue.status}: ${enqueue.text.slice(0, 200)}`);
        const { writeMs } = JSON.parse(enqueue.text);
        const lastAt = await withTimeout(done, WEBHOOK_TIMEOUT_MS, `${SETTINGS.webhooks} webhook deliveries arriving`);
        const queuedAt = started + writeMs;
        webhooks = {
          deliveries: SETTINGS.webhooks,
          writeMs,
          deliveryMs: lastAt - queuedAt,
          perSec: (SETTINGS.webhooks * 1000) / (lastAt - queuedAt),
          producerRowsWrittenPerDelivery: enqueue.rowsWritten === null ? null : enqueue.rowsWritten / SETTINGS.webhooks,
          producerRowsReadPerDelivery: enqueue.rowsRead === null ? null : enqueue.rowsRead / SETTINGS.webhooks,
        };
        webhooks.consumer = await consumeDirectly(url, author.orgId, endpoint.id, receiver);
        log(
          `webhooks: ${SETTINGS.webhooks} deliveries queued (${writeMs} ms of D1 writes first), all arrived ${fmt.ms(webhooks.deliveryMs)} later: ` +
            `${Math.round(webhooks.perSec)} deliveries/s; producer ${webhooks.producerRowsWrittenPerDelivery?.toFixed(1) ?? "n/a"} rows written per delivery`,
        );
        const consumer = webhooks.consumer;
        log(
          `  the consumer run in a request on ${consumer.batches} batch(es) of ${WEBHOOK_BATCH_SIZE}: per delivery ${consumer.rowsReadPerDelivery.toFixed(1)} rows read, ` +
            `${consumer.rowsWrittenPerDelivery.toFixed(1)} written, ${consumer.queriesPerBatch.toFixed(1)} D1 round trips per batch, ${fmt.ms(consumer.msPerBatch)} per batch`,
        );
      } finally {
        await receiver.close();
      }
    }

    endPhase("webhooksS");
    // ---- room edits
    let rooms = null;
    if (roomsStarting) {
      const server = await roomsStarting;
      allowExtensionlessTsImports();
      const { mintRoomToken } = await import("../worker/src/rooms/token.ts");
      const room = `prj_scale${shortId()}`;
      const tokens = await Promise.all(
        [0, 1].map(
          async (i) =>
            (await mintRoomToken(roomTokenSecret, { sub: `usr_scale${i}`, room, role: "write", name: `Scale ${i}`, sid: `ses_scale${i}` }))
              .token,
        ),
      );
      const [writer, peer] = await connectRoom(server, room, tokens);
      try {
        const trace = editTrace(SETTINGS.roomEdits, SETTINGS.seed);
        const latencies = [];
        for (const op of trace) {
          const sentAt = performance.now();
          applyEdit(writer, op);
          const at = await withTimeout(
            peer.reached(writer.doc.clientID, clockOf(writer)),
            ROOM_EDIT_TIMEOUT_MS,
            "a room edit reaching the peer",
          );
          latencies.push(at - sentAt);
        }
        if (peer.text.toString() !== writer.text.toString()) throw new Error("the room's two clients differ after every edit arrived");
        const sorted = [...latencies].sort((a, b) => a - b);
        rooms = {
          edits: latencies.length,
          clients: 2,
          p50Ms: quantile(sorted, 0.5),
          p99Ms: quantile(sorted, 0.99),
          rows: "n/a (partykit dev)",
        };
        log(`rooms: ${latencies.length} edits, 2 clients in one room: edit → peer p50 ${fmt.ms(rooms.p50Ms)}, p99 ${fmt.ms(rooms.p99Ms)}`);
      } finally {
        writer.destroy();
        peer.destroy();
      }
    }

    endPhase("roomsS");
    // ---- report
    log();
    log(
      table(
        [
          "request type",
          "count",
          "p50",
          "p99",
          "p50 ÷ bare",
          "rows read mean / max",
          "rows written mean / max",
          "D1 queries",
          "cache hits",
          "rows read on a miss",
        ],
        typeRows.map((r) => [
          r.name,
          String(r.count),
          fmt.ms(r.p50Ms),
          fmt.ms(r.p99Ms),
          r.p50OverBare === null ? "n/a" : fmt.ratio(r.p50OverBare),
          rows(r.rowsRead),
          rows(r.rowsWritten),
          r.d1Queries ? r.d1Queries.mean.toFixed(1) : "n/a",
          r.cacheHits === null ? "" : `${r.cacheHits}/${r.count}`,
          r.cacheHits === null ? "" : rows(r.rowsReadOnMiss),
        ]),
      ),
    );
    log(
      "(rows: the whole request's D1 work, from BENCH=1's x-d1-rows-read / x-d1-rows-written, mean / max per request; " +
        "checkout: the purchases before the day, one at a time, so no ratio)",
    );

    log(
      `time: ${Object.entries(phases)
        .map(([name, seconds]) => `${name.replace(/S$/, "")} ${seconds.toFixed(0)} s`)
        .join(", ")}; ${((Date.now() - startedAt) / 1000).toFixed(0)} s in all`,
    );

    const result = {
      at: new Date().toISOString(),
      settings: { ...SETTINGS, warmupRequests: WARMUP_REQUESTS, downloadableItems: DOWNLOADABLE_ITEMS, bundleBytes: BUNDLE_BYTES },
      mixPer1000: MIX,
      day: {
        requests: measured,
        drawn: SETTINGS.requests,
        replayed: dayOps,
        cutShort,
        seconds: dayMs / 1000,
        requestsPerSec: (measured * 1000) / dayMs,
        licenseAnswers: codes,
      },
      baselineP50Ms: bareP50 ?? null,
      types: typeRows,
      purchases: purchases.length
        ? { count: purchases.length, endToEndMs: purchases.map((p) => p.endToEndMs), rowsAfterCheckout: "n/a (webhook → queue → consumer)" }
        : null,
      webhooks,
      rooms,
      phases,
      seconds: (Date.now() - startedAt) / 1000,
    };
    mkdirSync(dirname(RESULTS_FILE), { recursive: true });
    writeFileSync(RESULTS_FILE, `${JSON.stringify(result, null, 2)}\n`);
    log(`wrote ${RESULTS_FILE}`);

    const metric = (type, label) =>
      summaries[type]
        ? [
            {
              name: `${label}: p50 ÷ bare; D1 rows per request`,
              value: summaries[type].p50Ms / bareP50,
              display: `${fmt.ratio(summaries[type].p50Ms / bareP50)} (p50 ${fmt.ms(summaries[type].p50Ms)}); read ${perRequest(summaries[type].rowsRead)}, written ${perRequest(summaries[type].rowsWritten)}`,
            },
          ]
        : [];
    return {
      metrics: [
        { name: "day req/s (mixed)", value: result.day.requestsPerSec, display: fmt.rps(result.day.requestsPerSec) },
        { name: "bare p50", value: bareP50, display: fmt.ms(bareP50) },
        ...metric("itemPage", "item page"),
        ...metric("search", "search"),
        ...metric("me", "/v1/me"),
        ...metric("validate", "validate"),
        ...metric("download", "download"),
        ...(webhooks
          ? [
              { name: "webhook deliveries/s", value: webhooks.perSec, display: `${Math.round(webhooks.perSec)}/s` },
              {
                name: "webhook consumer D1 rows per delivery",
                value: webhooks.consumer.rowsWrittenPerDelivery,
                display: `read ${webhooks.consumer.rowsReadPerDelivery.toFixed(1)}, written ${webhooks.consumer.rowsWrittenPerDelivery.toFixed(1)}`,
              },
            ]
          : []),
        ...(rooms ? [{ name: "room edit p50 / p99", value: rooms.p50Ms, display: `${fmt.ms(rooms.p50Ms)} / ${fmt.ms(rooms.p99Ms)}` }] : []),
      ],
      details: result,
    };
  } finally {
    unregisterRooms();
    await (await roomsStarting?.catch(() => null))?.stop();
  }
}
