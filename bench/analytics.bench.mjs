// The Analytics API over a year of rollups for 50 items against a bare indexed D1 read of the same
// rows, and the storefront item page with page-view counting against the same page not counted.
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compareAlternating } from "./lib/compare.mjs";
import { LOAD_SETTINGS } from "./lib/load.mjs";
import { assertBareRouteServedByWorker, call, createSignedInUserWithOrg } from "./lib/plaza-api.mjs";
import { fmt, ratioAgainstGoal, THROUGHPUT_HEADER, table, throughputRow } from "./lib/print.mjs";
import { mulberry32 } from "./lib/prng.mjs";
import { applySqlFile } from "./lib/seed-catalog.mjs";

export const description =
  "GET /v1/orgs/:orgId/analytics?days=365 over 365 days × 50 items vs a bare indexed D1 read of the same rows (goal ≥ 0.5); storefront item page counted vs not counted (goal ≥ 0.9)";

const API_GOAL = 0.5;
const VIEWS_GOAL = 0.9;
const ROUNDS = 3;
const ITEMS = 50;
const DAYS = 365;
const DAY_MS = 86_400_000;
/** A person's browser: its views are counted. */
const BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
/** A crawler: the same page, answered the same way, but its views are not counted (analytics/page-views.ts). */
const CRAWLER = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

const utcDay = (ms) => new Date(ms).toISOString().slice(0, 10);
const sqlString = (s) => `'${String(s).replaceAll("'", "''")}'`;

/** 50 published items of the org and a rollup row for each of them on each of the last 365 days. */
function rollupsSql(orgId, now) {
  const random = mulberry32(20261203);
  const int = (max) => Math.floor(random() * max);
  const suffix = orgId.slice(-8).toLowerCase();
  const items = Array.from({ length: ITEMS }, (_, i) => ({
    id: `itm_benchanalytics${String(i).padStart(4, "0")}${suffix}`,
    slug: `bench-analytics-${suffix}-${i}`,
  }));
  const out = [];
  for (const item of items) {
    out.push(
      `INSERT INTO items (org_id, id, slug, name, summary, description, category, tags, pricing, is_free, status, screenshot_keys, created_at, updated_at, published_at) VALUES (${[
        orgId,
        item.id,
        item.slug,
        `Bench Analytics ${item.slug.slice(-2)}`,
        "An item with a year of rollups",
        "Seeded by bench/analytics.bench.mjs.",
        "analytics",
        "bench",
        JSON.stringify({ model: "one_time", amount: 1900, currency: "usd" }),
      ]
        .map(sqlString)
        .join(", ")}, 0, 'published', '[]', ${now}, ${now}, ${now});`,
    );
    for (let d = 0; d < DAYS; d += 50) {
      const rows = [];
      for (let day = d; day < Math.min(DAYS, d + 50); day++) {
        const sales = int(4);
        rows.push(
          [
            sqlString(orgId),
            sqlString(item.id),
            sqlString(utcDay(now - day * DAY_MS)),
            "'usd'",
            sales * 1900,
            sales * 1680,
            sales * 220,
            int(10) === 0 ? 1900 : 0,
            0,
            int(2),
            int(20) === 0 ? 1 : 0,
            int(3) * 900 - 900,
            int(30),
            sales,
            20 + int(60),
            sales + int(3),
            sales,
            now,
          ].join(", "),
        );
      }
      out.push(`INSERT INTO analytics_daily (org_id, item_id, day, currency, gross_sales, net_sales, fees, refunds, disputes,
        new_subscriptions, churned_subscriptions, mrr_change, downloads, licenses_change, page_views, checkouts_started,
        checkouts_completed, updated_at) VALUES\n(${rows.join("),\n(")});`);
    }
  }
  return { sql: `${out.join("\n")}\n`, items };
}

function logRun(log, names) {
  return (label, r) =>
    log(`  ${names[label].padEnd(40)} ${fmt.rps(r.requestsPerSec).padStart(12)}  p50 ${fmt.ms(r.p50Ms)}  p99 ${fmt.ms(r.p99Ms)}`);
}

async function pageViewsThisWeek(url, orgId, token, itemId) {
  return (await call(url, "GET", `/v1/orgs/${orgId}/analytics?days=7&itemId=${itemId}`, { token })).totals.pageViews;
}

/** @param {{ worker: () => Promise<{ url: string, persistTo: string }>, log: (line?: string) => void }} ctx */
export async function run({ worker, log }) {
  const { url, persistTo } = await worker();
  await assertBareRouteServedByWorker(url);
  const { accessToken: token, orgId } = await createSignedInUserWithOrg(url);

  const now = Date.now();
  const t0 = Date.now();
  const file = join(persistTo, "bench-analytics-seed.sql");
  const { sql, items } = rollupsSql(orgId, now);
  writeFileSync(file, sql);
  await applySqlFile(persistTo, file);
  rmSync(file, { force: true });
  log(
    `seeded ${ITEMS} items × ${DAYS} days = ${(ITEMS * DAYS).toLocaleString("en-US")} rollup rows in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );

  const apiPath = `/v1/orgs/${orgId}/analytics?days=${DAYS}`;
  const answer = await call(url, "GET", apiPath, { token });
  const barePath = `/__bench/analytics-rows?${new URLSearchParams({ orgId, from: answer.from, to: answer.to })}`;
  const bare = await call(url, "GET", barePath);
  if (answer.series.length !== DAYS || bare.length !== DAYS || answer.totals.grossSales !== bare.reduce((s, r) => s + r.gross_sales, 0)) {
    throw new Error(`the API and the bare read disagree: ${answer.series.length} and ${bare.length} days`);
  }

  const { durationS, warmupS, connections } = LOAD_SETTINGS;
  log(`${ROUNDS} rounds of each, alternating; each ${warmupS} s warm-up + ${durationS} s, ${connections} connections`);
  log();
  log("Analytics API, 365 days × 50 items:");
  const api = await compareAlternating({
    baseline: { url: `${url}${barePath}` },
    target: { url: `${url}${apiPath}`, headers: { authorization: `Bearer ${token}` } },
    rounds: ROUNDS,
    onRun: logRun(log, { baseline: "GET /__bench/analytics-rows (bare read)", target: `GET …/analytics?days=${DAYS}` }),
  });
  log(
    table(THROUGHPUT_HEADER, [
      throughputRow("baseline: bare indexed read (mean)", api.baseline),
      throughputRow("target: the Analytics API (mean)", api.target),
    ]),
  );
  log(`ratio API ÷ bare read: ${ratioAgainstGoal(api.ratio, API_GOAL)}`);

  // The page as a crawler gets it is the baseline: the same route, edge cache and answer, nothing queued.
  const item = items[0];
  const pagePath = `/items/${item.slug}`;
  for (const ua of [BROWSER, CRAWLER]) await fetch(`${url}${pagePath}`, { headers: { "user-agent": ua } }).then((r) => r.arrayBuffer());
  const xCache = (await fetch(`${url}${pagePath}`, { headers: { "user-agent": CRAWLER } })).headers.get("x-cache");
  const viewsBefore = await pageViewsThisWeek(url, orgId, token, item.id);
  log();
  log(`storefront item page ${pagePath} (x-cache ${xCache ?? "(none)"}), counted vs not counted:`);
  const views = await compareAlternating({
    baseline: { url: `${url}${pagePath}`, headers: { "user-agent": CRAWLER } },
    target: { url: `${url}${pagePath}`, headers: { "user-agent": BROWSER } },
    rounds: ROUNDS,
    onRun: logRun(log, { baseline: "GET item page, a crawler (not counted)", target: "GET item page, a browser (counted)" }),
  });
  log(
    table(THROUGHPUT_HEADER, [
      throughputRow("baseline: not counted (mean)", views.baseline),
      throughputRow("target: counted (mean)", views.target),
    ]),
  );
  log(`ratio counted ÷ not counted: ${ratioAgainstGoal(views.ratio, VIEWS_GOAL)}`);

  // Every counted request is a view (not a sample): at least the measured ones, once the queue has caught up.
  const measured = views.target.runs.reduce((sum, r) => sum + r.requests, 0);
  const deadline = Date.now() + 60_000;
  let recorded = (await pageViewsThisWeek(url, orgId, token, item.id)) - viewsBefore;
  while (recorded < measured && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    recorded = (await pageViewsThisWeek(url, orgId, token, item.id)) - viewsBefore;
  }
  log(
    `page views recorded: ${recorded.toLocaleString("en-US")} for ${measured.toLocaleString("en-US")} measured counted requests (plus warm-ups)`,
  );
  if (recorded < measured) throw new Error(`only ${recorded} of ${measured} counted views were recorded within 60 s`);

  return {
    metrics: [
      { name: "bare analytics read req/s", value: api.baseline.requestsPerSec, display: fmt.rps(api.baseline.requestsPerSec) },
      { name: "Analytics API req/s", value: api.target.requestsPerSec, display: fmt.rps(api.target.requestsPerSec) },
      { name: "Analytics API p50 / p99", value: api.target.p50Ms, display: `${fmt.ms(api.target.p50Ms)} / ${fmt.ms(api.target.p99Ms)}` },
      { name: "ratio API ÷ bare read", value: api.ratio, display: ratioAgainstGoal(api.ratio, API_GOAL) },
      { name: "item page not counted req/s", value: views.baseline.requestsPerSec, display: fmt.rps(views.baseline.requestsPerSec) },
      { name: "item page counted req/s", value: views.target.requestsPerSec, display: fmt.rps(views.target.requestsPerSec) },
      { name: "ratio counted ÷ not counted", value: views.ratio, display: ratioAgainstGoal(views.ratio, VIEWS_GOAL) },
      { name: "views recorded / counted requests", value: recorded / measured, display: `${recorded} / ${measured} (+ warm-ups)` },
    ],
    details: { settings: { ...LOAD_SETTINGS, rounds: ROUNDS, items: ITEMS, days: DAYS }, api, views, recorded, measured },
  };
}
