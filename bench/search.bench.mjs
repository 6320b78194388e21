// Catalog search on 10,000 seeded items: req/s of GET /v1/search against a bare FTS5 MATCH on the
// same data, D1 rows read per search, and storefront item page req/s cached vs uncached.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { bin, run as runScript } from "../scripts/lib/processes.mjs";
import { compareAlternating } from "./lib/compare.mjs";
import { LOAD_SETTINGS } from "./lib/load.mjs";
import { assertBareRouteServedByWorker } from "./lib/plaza-api.mjs";
import { fmt, ratioAgainstGoal, THROUGHPUT_HEADER, table, throughputRow } from "./lib/print.mjs";
import { seedCatalog } from "./lib/seed-catalog.mjs";

export const description =
  "GET /v1/search vs bare FTS5 MATCH on 10,000 items (req/s ratio, goal ≥ 0.5); D1 rows read per search (goal ≤ 10× returned); storefront item page cached vs uncached";

const ITEM_COUNT = Number(process.env.BENCH_SEARCH_ITEMS ?? 10_000);
const RATIO_GOAL = 0.5;
const ROWS_READ_GOAL = 10;
const ROUNDS = 2;
const LIMIT = 20;

/** Same as `toFtsQuery` in worker/src/catalog/search.ts: each word quoted, the last a prefix. */
function toFtsQuery(q) {
  const words = q
    .toLowerCase()
    .match(/[\p{L}\p{N}]+/gu)
    ?.slice(0, 8);
  return words.map((w, i) => (i === words.length - 1 ? `"${w}"*` : `"${w}"`)).join(" ");
}

/**
 * A rare word of the generated catalog: in a handful of items, and not the beginning of many
 * other words (the search makes the last word a prefix). Ends in a vowel or x so the porter
 * stemmer leaves it alone.
 */
function pickRareWord(docFrequency) {
  const terms = [...docFrequency.keys()].sort();
  for (const [index, term] of terms.entries()) {
    const df = docFrequency.get(term);
    if (df < 3 || df > 8 || term.length < 7 || !/[aox]$/.test(term)) continue;
    let withPrefix = 0;
    for (let i = index; i < terms.length && terms[i].startsWith(term); i++) withPrefix += docFrequency.get(terms[i]);
    if (withPrefix <= 12) return term;
  }
  throw new Error("no rare word in the generated catalog");
}

/** The rotation: what people type, with the filters and sorts the storefront offers. */
function searchQueries(catalog) {
  const rare = pickRareWord(catalog.docFrequency);
  return [
    { label: "common word", params: { q: "editor" } },
    { label: "rare word", params: { q: rare } },
    { label: "two words", params: { q: "dark theme" } },
    { label: "prefix", params: { q: "snip" } },
    { label: "category filter", params: { q: "color", category: "themes" } },
    { label: "sort=downloads", params: { q: "python", sort: "downloads" } },
  ].map((query) => ({
    ...query,
    target: `/v1/search?${new URLSearchParams({ ...query.params, limit: String(LIMIT) })}`,
    baseline: `/__bench/fts?${new URLSearchParams({ q: toFtsQuery(query.params.q) })}`,
    fts: toFtsQuery(query.params.q),
  }));
}

async function getOk(url, headers = {}) {
  const res = await fetch(url, { headers });
  const body = await res.text();
  if (!res.ok) throw new Error(`GET ${url} → ${res.status}: ${body.slice(0, 300)}`);
  return { res, body };
}

/** How many items each FTS expression matches, straight from the seeded SQLite file (one wrangler call). */
async function matchCounts(persistTo, queries) {
  const sql = queries.map((q) => `SELECT count(*) AS n FROM items_fts WHERE items_fts MATCH '${q.fts.replaceAll("'", "''")}'`).join("; ");
  try {
    const out = await runScript(bin.wrangler, ["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--json", "--command", sql], {
      env: { CI: "1", WRANGLER_SEND_METRICS: "false" },
    });
    return JSON.parse(out.slice(out.indexOf("["))).map((r) => r.results[0].n);
  } catch {
    return queries.map(() => undefined);
  }
}

/** Only a BENCH=1 Worker honours it: skip the edge cache, so the search engine itself answers. */
const BYPASS = { "x-bench-bypass-cache": "1" };

async function measureRowsRead(url, persistTo, queries, log) {
  const counts = await matchCounts(persistTo, queries);
  const rows = [];
  for (const [i, query] of queries.entries()) {
    const { res, body } = await getOk(`${url}${query.target}`, BYPASS);
    const header = res.headers.get("x-d1-rows-read");
    if (header === null) throw new Error(`GET ${query.target} has no x-d1-rows-read header: is BENCH=1 set on the Worker?`);
    const rowsRead = Number(header);
    const returned = JSON.parse(body).data.length;
    if (returned === 0) throw new Error(`GET ${query.target} returned no items: the seeded catalog is not searchable`);
    rows.push({ ...query, matches: counts[i], rowsRead, returned, ratio: rowsRead / returned });
  }
  log(
    table(
      ["query", "request", "FTS matches", "rows read", "returned", "read ÷ returned"],
      rows.map((r) => [
        r.label,
        r.target.replace(`&limit=${LIMIT}`, ""),
        r.matches?.toLocaleString("en-US") ?? "?",
        r.rowsRead.toLocaleString("en-US"),
        String(r.returned),
        `${r.ratio.toFixed(1)}× ${r.ratio <= ROWS_READ_GOAL ? "met" : "NOT met"}`,
      ]),
    ),
  );
  log(`goal: rows read ≤ ${ROWS_READ_GOAL}× rows returned, per search`);
  return rows;
}

function throughputLogger(log, names) {
  return (label, r) =>
    log(`  ${names[label].padEnd(34)} ${fmt.rps(r.requestsPerSec).padStart(12)}  p50 ${fmt.ms(r.p50Ms)}  p99 ${fmt.ms(r.p99Ms)}`);
}

/**
 * Two comparisons with the same baseline: the search engine itself (edge cache bypassed), and
 * /v1/search as clients get it (public answers are edge-cached for 60 s). The goal applies to the
 * latter; the former shows what ranking costs (bm25 scores every match, the bare query does not).
 */
async function measureSearchThroughput(url, queries, log) {
  const bare = { url, requests: queries.map((q) => ({ method: "GET", path: q.baseline })) };
  const search = (headers) => ({ url, headers, requests: queries.map((q) => ({ method: "GET", path: q.target })) });
  const results = {};
  for (const [mode, headers, label] of [
    ["uncached", BYPASS, "GET /v1/search, cache bypassed"],
    ["served", {}, "GET /v1/search, as served"],
  ]) {
    const names = { baseline: `GET /__bench/fts (${queries.length} queries)`, target: label };
    results[mode] = await compareAlternating({
      baseline: bare,
      target: search(headers),
      rounds: ROUNDS,
      onRun: throughputLogger(log, names),
    });
  }
  log();
  log(
    table(THROUGHPUT_HEADER, [
      throughputRow("baseline: bare FTS5 MATCH (mean of both)", meanOf(results.uncached.baseline, results.served.baseline)),
      throughputRow("/v1/search, cache bypassed (mean)", results.uncached.target),
      throughputRow("/v1/search, as served (mean)", results.served.target),
    ]),
  );
  log(`ratio /v1/search ÷ bare FTS, cache bypassed: ${fmt.ratio(results.uncached.ratio)}`);
  log(`ratio /v1/search ÷ bare FTS, as served: ${ratioAgainstGoal(results.served.ratio, RATIO_GOAL)}`);
  return results;
}

function meanOf(a, b) {
  const mean = (x, y) => (x + y) / 2;
  return { requestsPerSec: mean(a.requestsPerSec, b.requestsPerSec), p50Ms: mean(a.p50Ms, b.p50Ms), p99Ms: mean(a.p99Ms, b.p99Ms) };
}

/**
 * The storefront's item page, if it is there: a 200 HTML page that names the item. The web app's
 * SPA fallback also answers 200 HTML for /items/… when the Worker does not serve that path.
 * @returns {Promise<string | null>} why it is not available, or null
 */
async function storefrontUnavailable(url, item) {
  const path = `/items/${item.slug}`;
  let res;
  let body;
  try {
    res = await fetch(`${url}${path}`, { headers: BYPASS });
    body = await res.text();
  } catch (err) {
    return `GET ${path} failed: ${err.message}`;
  }
  if (res.status !== 200) return `GET ${path} answered ${res.status} ${JSON.stringify(body.slice(0, 80))}`;
  if (!body.includes(item.name)) {
    return (
      `GET ${path} answered 200 ${res.headers.get("content-type") ?? ""} without the item's name (${JSON.stringify(body.slice(0, 60))}…): ` +
      `not the storefront page; the web app's SPA fallback answers unless wrangler.toml's run_worker_first lists "/items/*"`
    );
  }
  return null;
}

/** What the storefront's `x-cache` header says for a bypassing request and for a repeated plain one. */
async function cacheStatuses(url, item) {
  const path = `${url}/items/${item.slug}`;
  const bypass = (await getOk(path, BYPASS)).res.headers.get("x-cache");
  await getOk(path);
  const plain = (await getOk(path)).res.headers.get("x-cache");
  return { bypass, plain };
}

async function measureStorefront(url, item, log) {
  const path = `/items/${item.slug}`;
  const names = { baseline: `GET ${path.slice(0, 20)}… uncached`, target: `GET ${path.slice(0, 20)}… cached` };
  const result = await compareAlternating({
    baseline: { url: `${url}${path}`, headers: BYPASS },
    target: { url: `${url}${path}` },
    rounds: ROUNDS,
    onRun: throughputLogger(log, names),
  });
  log();
  log(
    table(THROUGHPUT_HEADER, [
      throughputRow(`uncached (x-bench-bypass-cache: 1) (mean)`, result.baseline),
      throughputRow(`cached (mean)`, result.target),
    ]),
  );
  log(`ratio cached ÷ uncached: ${fmt.ratio(result.ratio)}`);
  return result;
}

let seeded; // one seeding per persist dir and process

/** @param {{ worker: () => Promise<{ url: string, persistTo: string }>, log: (line?: string) => void }} ctx */
export async function run({ worker, log }) {
  const { url, persistTo } = await worker();
  await assertBareRouteServedByWorker(url);

  // Seeding while wrangler dev runs is fine: the local D1 is a SQLite file the CLI writes directly.
  const t0 = Date.now();
  if (seeded?.persistTo !== persistTo) {
    const file = join(persistTo, "bench-search-seed.sql");
    seeded = { persistTo, catalog: await seedCatalog(persistTo, file, { count: ITEM_COUNT }) };
    rmSync(file, { force: true });
  }
  const { catalog } = seeded;
  log(
    `seeded ${catalog.items.length.toLocaleString("en-US")} published items (one org, ${catalog.docFrequency.size.toLocaleString("en-US")} distinct words) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  const queries = searchQueries(catalog);

  // Touch every query once on both routes before anything is measured: the first reads after
  // seeding are slow while workerd's SQLite pages the new index in.
  for (const q of queries) await Promise.all([getOk(`${url}${q.baseline}`), getOk(`${url}${q.target}`)]);

  log();
  log("D1 rows read per search (one request each, BENCH=1's x-d1-rows-read header):");
  const rowsRead = await measureRowsRead(url, persistTo, queries, log);

  const { durationS, warmupS, connections } = LOAD_SETTINGS;
  log();
  log(
    `throughput: ${ROUNDS} rounds of each, alternating; each ${warmupS} s warm-up + ${durationS} s, ${connections} connections, the ${queries.length} queries in rotation`,
  );
  const search = await measureSearchThroughput(url, queries, log);

  log();
  const item = [...catalog.items].sort((a, b) => b.downloads - a.downloads)[0];
  const unavailable = await storefrontUnavailable(url, item);
  let storefront;
  if (unavailable) {
    log(`storefront item page: storefront not available (${unavailable})`);
  } else {
    const xCache = await cacheStatuses(url, item);
    log(
      `storefront item page /items/${item.slug}: x-cache ${xCache.bypass ?? "(none)"} with x-bench-bypass-cache: 1, ${xCache.plain ?? "(none)"} without`,
    );
    if (xCache.bypass !== "BYPASS" || xCache.plain !== "HIT")
      log("  (expected BYPASS and HIT: the figures below may not compare cached with uncached)");
    log(`${ROUNDS} rounds of each, alternating`);
    storefront = await measureStorefront(url, item, log);
  }

  const worst = rowsRead.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  return {
    metrics: [
      { name: "bare FTS req/s", value: search.served.baseline.requestsPerSec, display: fmt.rps(search.served.baseline.requestsPerSec) },
      {
        name: "/v1/search req/s, cache bypassed",
        value: search.uncached.target.requestsPerSec,
        display: fmt.rps(search.uncached.target.requestsPerSec),
      },
      {
        name: "/v1/search req/s, as served",
        value: search.served.target.requestsPerSec,
        display: fmt.rps(search.served.target.requestsPerSec),
      },
      {
        name: "/v1/search p50 / p99, as served",
        value: search.served.target.p50Ms,
        display: `${fmt.ms(search.served.target.p50Ms)} / ${fmt.ms(search.served.target.p99Ms)}`,
      },
      { name: "ratio ÷ bare FTS, cache bypassed", value: search.uncached.ratio, display: fmt.ratio(search.uncached.ratio) },
      { name: "ratio ÷ bare FTS, as served", value: search.served.ratio, display: ratioAgainstGoal(search.served.ratio, RATIO_GOAL) },
      ...rowsRead.map((r) => ({
        name: `rows read: ${r.label}`,
        value: r.ratio,
        display: `${r.rowsRead.toLocaleString("en-US")} for ${r.returned} = ${r.ratio.toFixed(1)}× (goal ≤ ${ROWS_READ_GOAL}×: ${r.ratio <= ROWS_READ_GOAL ? "met" : "NOT met"})`,
      })),
      { name: "rows read ÷ returned, worst", value: worst.ratio, display: `${worst.ratio.toFixed(1)}× (${worst.label})` },
      ...(storefront
        ? [
            {
              name: "item page uncached req/s",
              value: storefront.baseline.requestsPerSec,
              display: fmt.rps(storefront.baseline.requestsPerSec),
            },
            { name: "item page cached req/s", value: storefront.target.requestsPerSec, display: fmt.rps(storefront.target.requestsPerSec) },
            { name: "item page cached ÷ uncached", value: storefront.ratio, display: fmt.ratio(storefront.ratio) },
          ]
        : [{ name: "item page cached vs uncached", value: null, display: "storefront not available" }]),
    ],
    details: {
      settings: { ...LOAD_SETTINGS, rounds: ROUNDS, items: catalog.items.length, limit: LIMIT },
      queries: queries.map(({ label, target, baseline }) => ({ label, target, baseline })),
      rowsRead: rowsRead.map(({ label, target, matches, rowsRead, returned, ratio }) => ({
        label,
        target,
        matches,
        rowsRead,
        returned,
        ratio,
      })),
      search,
      storefront: storefront ?? { unavailable },
    },
  };
}
