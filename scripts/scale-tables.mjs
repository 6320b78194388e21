#!/usr/bin/env node
// Rows and bytes per D1 table of a local Plaza state dir, and the same tables at 10× and 100×
// (docs/scale.md cites this output). Run with Node 22 (node:sqlite):
//   node_modules/.bin/node scripts/scale-tables.mjs [stateDir]    a state dir as `npm start` left it (default .wrangler/state)
//   node_modules/.bin/node scripts/scale-tables.mjs --seed        a fresh temp state dir seeded the way `npm start` seeds it
//                                                                 (SQL seed, then wrangler dev + the Stripe emulator for what
//                                                                 goes through the API; no web build, no rooms); ~1-2 min
//   --json <file>   also writes the figures as JSON;  --keep   keeps the --seed state dir (its path is printed)
// The database file is copied first (with its -wal), so a running `wrangler dev` is not disturbed.
import { copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";
import { ROOT } from "./lib/processes.mjs";

/** A day in ms. */
const DAY_MS = 86_400_000;
/** How long tables that are never purged are projected to grow. */
const HORIZON_DAYS = 365;
/** D1's size limit per database (Workers Paid): https://developers.cloudflare.com/d1/platform/limits/ */
const D1_MAX_BYTES = 10 * 1000 ** 3;

/**
 * What each table grows with, and how long its rows stay (the purge jobs' windows in worker/src):
 * - `stock`: rows proportional to a population (orgs, items, users, projects); × the multiple.
 * - `flow`: rows arriving per day (rows/day measured from the demo's own timestamps, see `ratePerDay`),
 *   kept `keepDays` (a purge job) or forever (projected to HORIZON_DAYS); × the multiple.
 * - `bounded`: a window that does not accumulate (rate-limit windows, idempotency keys, …); × the multiple.
 * - `fixed`: configuration and bookkeeping that does not grow with tenants.
 * `time`: the column the flow's rate is measured on (ms, or 'YYYY-MM-DD' for `day`; `table.column` for another table's).
 * @typedef {{ grows: "stock", by: string } | { grows: "flow", by: string, time: string, keepDays?: number } | { grows: "bounded", by: string } | { grows: "fixed", by?: string }} Growth
 * @type {Record<string, Growth>}
 */
const GROWTH = {
  // tenants and people
  orgs: { grows: "stock", by: "orgs" },
  memberships: { grows: "stock", by: "orgs" },
  connect_accounts: { grows: "stock", by: "orgs" },
  webhook_endpoints: { grows: "stock", by: "orgs" },
  coupons: { grows: "stock", by: "orgs" },
  api_tokens: { grows: "stock", by: "orgs" },
  invites: { grows: "stock", by: "orgs" },
  users: { grows: "stock", by: "buyers" },
  stripe_customers: { grows: "stock", by: "buyers" },
  notification_preferences: { grows: "stock", by: "buyers" },
  // catalog
  items: { grows: "stock", by: "items" },
  item_tags: { grows: "stock", by: "items" },
  items_fts: { grows: "stock", by: "items" },
  versions: { grows: "stock", by: "items" },
  media: { grows: "stock", by: "items" },
  stripe_prices: { grows: "stock", by: "items" },
  license_policies: { grows: "stock", by: "items" },
  item_reports: { grows: "stock", by: "items" },
  item_report_reporters: { grows: "stock", by: "items" },
  uploads: { grows: "stock", by: "items" },
  tus_uploads: { grows: "stock", by: "items" },
  // projects and rooms
  projects: { grows: "stock", by: "projects" },
  project_items: { grows: "stock", by: "projects" },
  project_assets: { grows: "stock", by: "projects" },
  // thinned by snapshot-retention.ts to a bounded set per project
  project_snapshots: { grows: "stock", by: "projects" },
  room_admissions: { grows: "bounded", by: "room joins (expired ones deleted)" },
  room_events: { grows: "flow", by: "room joins", time: "received_at" },
  room_teardowns: { grows: "bounded", by: "projects" },
  // money: kept forever (the ledger is the record)
  checkouts: { grows: "flow", by: "purchases", time: "created_at" },
  orders: { grows: "flow", by: "purchases", time: "created_at" },
  // no time of its own: one or more per order, so it grows at the orders' rate
  order_items: { grows: "flow", by: "purchases", time: "orders.created_at" },
  ledger_entries: { grows: "flow", by: "purchases", time: "created_at" },
  entitlements: { grows: "flow", by: "purchases", time: "created_at" },
  licenses: { grows: "flow", by: "purchases", time: "created_at" },
  license_activations: { grows: "flow", by: "purchases", time: "created_at" },
  license_reveals: { grows: "bounded", by: "purchases (deleted once seen or expired)" },
  subscriptions: { grows: "flow", by: "purchases", time: "created_at" },
  usage_records: { grows: "flow", by: "purchases", time: "recorded_at" },
  refunds: { grows: "flow", by: "purchases", time: "created_at" },
  disputes: { grows: "flow", by: "purchases", time: "created_at" },
  coupon_redemptions: { grows: "flow", by: "purchases", time: "created_at" },
  credit_entries: { grows: "flow", by: "purchases", time: "created_at" },
  stripe_events: { grows: "flow", by: "purchases", time: "received_at" },
  reviews: { grows: "flow", by: "purchases", time: "created_at" },
  review_reports: { grows: "flow", by: "purchases", time: "created_at" },
  // traffic
  downloads: { grows: "flow", by: "downloads", time: "created_at" },
  download_tokens: { grows: "bounded", by: "downloads (deleted a day after use or expiry)" },
  page_views: { grows: "flow", by: "page views", time: "day", keepDays: 35 },
  analytics_daily: { grows: "flow", by: "items × active days", time: "day" },
  // logs
  audit_events: { grows: "flow", by: "requests that change something", time: "created_at" },
  notifications: { grows: "flow", by: "purchases", time: "created_at" },
  mail_messages: { grows: "flow", by: "mails", time: "created_at", keepDays: 30 },
  webhook_events: { grows: "flow", by: "webhook deliveries", time: "created_at", keepDays: 30 },
  webhook_deliveries: { grows: "flow", by: "webhook deliveries", time: "created_at", keepDays: 30 },
  webhook_attempts: { grows: "flow", by: "webhook deliveries", time: "created_at", keepDays: 30 },
  dead_letters: { grows: "flow", by: "failures", time: "recorded_at", keepDays: 30 },
  operator_alerts: { grows: "flow", by: "failures", time: "created_at" },
  job_runs: { grows: "fixed", by: "cron ticks (30 days kept)" },
  // credentials and windows
  sessions: { grows: "bounded", by: "active users (7 days after they end)" },
  refresh_tokens: { grows: "bounded", by: "active users (7 days after they end)" },
  email_tokens: { grows: "bounded", by: "sign-ups (7 days after they end)" },
  idempotency_keys: { grows: "bounded", by: "requests in the last 24 h" },
  // bookkeeping
  job_cursors: { grows: "fixed" },
  backup_progress: { grows: "bounded" },
  download_tally: { grows: "fixed" },
  d1_migrations: { grows: "fixed" },
  sqlite_sequence: { grows: "fixed" },
  _cf_METADATA: { grows: "fixed" },
};

/** FTS5's shadow tables are counted with their virtual table. */
const FTS_SHADOW = /^(.+_fts)_(config|data|docsize|idx|content)$/;
/** A flow's rate is taken over its newest days (the demo's history grows over its 90 days: today's rate, not the average). */
const RATE_WINDOW_DAYS = 30;
/** Rows the SQL seed's history made carry this in their id (scripts/seed-analytics.mjs); the rest came through the API. */
const HISTORY_ID = "%demohist%";
/** Tables and indexes at least this many pages long give the page overhead (headers, free space) over the bare records. */
const OVERHEAD_MIN_PAGES = 16;

/**
 * The D1 database file of a local state dir: the largest .sqlite under v3/d1/miniflare-D1DatabaseObject
 * (the other one there is miniflare's metadata.sqlite).
 * @param {string} stateDir
 */
export function d1File(stateDir) {
  const dir = join(stateDir, "v3/d1/miniflare-D1DatabaseObject");
  if (!existsSync(dir)) throw new Error(`no local D1 under ${stateDir} (expected ${dir})`);
  const files = readdirSync(dir)
    .filter((name) => name.endsWith(".sqlite") && name !== "metadata.sqlite")
    .map((name) => join(dir, name));
  const size = (/** @type {string} */ path) => statSync(path).size + (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0);
  const [largest] = files.sort((a, b) => size(b) - size(a));
  if (!largest) throw new Error(`no D1 database file in ${dir}`);
  return largest;
}

/**
 * `literalBytes`: a row's SQL literals (`quote()` of each column), what the backup export pages by; null for tables it skips.
 * @typedef {{ table: string, rows: number, pageBytes: number, indexPageBytes: number, payloadBytes: number, spanDays: number | null, recentRows: number | null, literalBytes: number | null }} TableFigures
 * @typedef {{ tables: TableFigures[], fileBytes: number, pageSize: number, overhead: number, ordersPerDay: number, apiOrders: number }} Measured
 */

/**
 * Rows, pages of the table and of its indexes (`dbstat`: what the file holds) and payload bytes (the
 * records alone, table and indexes), per table, from a copy of the database file.
 * @param {string} file
 * @returns {Measured}
 */
export function measure(file) {
  const copyDir = mkdtempSync(join(tmpdir(), "plaza-scale-"));
  const copy = join(copyDir, "d1.sqlite");
  try {
    copyFileSync(file, copy);
    for (const suffix of ["-wal", "-shm"]) if (existsSync(file + suffix)) copyFileSync(file + suffix, copy + suffix);
    const db = new DatabaseSync(copy);
    // Folds the copied WAL in, so the file size below is the database's.
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    const one = (/** @type {string} */ sql, /** @type {(string|number)[]} */ ...params) =>
      /** @type {Record<string, number>} */ (db.prepare(sql).get(...params));
    const pageSize = Number(one("PRAGMA page_size").page_size);
    const objects = /** @type {{ name: string, tbl_name: string, type: string }[]} */ (
      db.prepare("SELECT name, tbl_name, type FROM sqlite_master WHERE type IN ('table', 'index')").all()
    );
    const ownerOf = new Map(objects.map((o) => [o.name, o.type === "index" ? o.tbl_name : o.name]));
    const stats = /** @type {{ name: string, pages: number, bytes: number, payload: number }[]} */ (
      db.prepare("SELECT name, count(*) AS pages, sum(pgsize) AS bytes, sum(payload) AS payload FROM dbstat GROUP BY name").all()
    );
    /** @type {Map<string, TableFigures>} */
    const byTable = new Map();
    const entry = (/** @type {string} */ table) => {
      let figures = byTable.get(table);
      if (!figures) {
        figures = {
          table,
          rows: 0,
          pageBytes: 0,
          indexPageBytes: 0,
          payloadBytes: 0,
          spanDays: null,
          recentRows: null,
          literalBytes: null,
        };
        byTable.set(table, figures);
      }
      return figures;
    };
    let bigBytes = 0;
    let bigPayload = 0;
    for (const stat of stats) {
      if (stat.name === "sqlite_schema" || stat.name === "sqlite_master") continue;
      const owner = ownerOf.get(stat.name) ?? stat.name;
      const isIndex = owner !== stat.name;
      const figures = entry(owner.replace(FTS_SHADOW, "$1"));
      if (isIndex) figures.indexPageBytes += Number(stat.bytes);
      else figures.pageBytes += Number(stat.bytes);
      figures.payloadBytes += Number(stat.payload);
      if (Number(stat.pages) >= OVERHEAD_MIN_PAGES) {
        bigBytes += Number(stat.bytes);
        bigPayload += Number(stat.payload);
      }
    }
    for (const object of objects) {
      if (object.type !== "table" || FTS_SHADOW.test(object.name)) continue;
      const figures = entry(object.name);
      figures.rows = one(`SELECT count(*) AS n FROM ${quote(object.name)}`).n ?? 0;
      const growth = GROWTH[object.name];
      if (growth?.grows === "flow" && figures.rows > 0) Object.assign(figures, recentRate(db, object.name, growth.time));
      if (!EXPORT_SKIPPED.test(object.name) && !isVirtual(db, object.name)) figures.literalBytes = literalBytes(db, object.name);
    }
    const orders = one(`SELECT count(*) AS n, sum(id LIKE ?) AS history FROM orders`, HISTORY_ID);
    const ordersFigures = byTable.get("orders");
    db.close();
    return {
      tables: [...byTable.values()],
      fileBytes: statSync(copy).size,
      pageSize,
      overhead: bigPayload > 0 ? bigBytes / bigPayload : 1,
      ordersPerDay:
        ordersFigures?.recentRows && ordersFigures.spanDays
          ? ordersFigures.recentRows / Math.min(RATE_WINDOW_DAYS, ordersFigures.spanDays)
          : 0,
      apiOrders: (orders.n ?? 0) - (orders.history ?? 0),
    };
  } finally {
    rmSync(copyDir, { recursive: true, force: true });
  }
}

const quote = (/** @type {string} */ name) => `"${name.replaceAll('"', '""')}"`;

/** Tables the backup export leaves out (worker/src/backups/dump.ts SKIPPED), besides virtual ones. */
const EXPORT_SKIPPED = /^(sqlite_|_cf_|d1_migrations$|backup_progress$)/;
const isVirtual = (/** @type {DatabaseSync} */ db, /** @type {string} */ table) =>
  /^CREATE VIRTUAL/i.test(
    String(/** @type {{ sql: string }} */ (db.prepare("SELECT sql FROM sqlite_master WHERE name = ?").get(table)).sql),
  );

/**
 * A row's literals as the export writes them (each insertable column's `quote()` and a comma), on average.
 * @param {DatabaseSync} db
 * @param {string} table
 */
function literalBytes(db, table) {
  const columns = /** @type {{ name: string, hidden: number }[]} */ (db.prepare(`PRAGMA table_xinfo(${quote(table)})`).all())
    .filter((c) => Number(c.hidden) === 0)
    .map((c) => `length(quote(${quote(c.name)})) + 1`);
  const row = /** @type {{ bytes: number | null }} */ (
    db.prepare(`SELECT avg(${columns.join(" + ")}) AS bytes FROM ${quote(table)}`).get()
  );
  return row.bytes === null ? 0 : Number(row.bytes);
}

/**
 * The days a flow table's timestamps span (at least 1) and its rows in the newest RATE_WINDOW_DAYS of them.
 * @param {DatabaseSync} db
 * @param {string} table
 * @param {string} column  ms, or 'YYYY-MM-DD'; `other.column` for a table without a time of its own
 * @returns {{ spanDays: number, recentRows: number }}
 */
function recentRate(db, table, column) {
  const [otherTable, otherColumn] = column.split(".");
  if (otherTable && otherColumn) {
    // Grows with the other table: its span, and this table's rows in the other's proportion.
    const other = recentRate(db, otherTable, otherColumn);
    const ratio = Number(
      /** @type {{ r: number }} */ (
        db.prepare(`SELECT (SELECT count(*) FROM ${quote(table)}) * 1.0 / max(1, (SELECT count(*) FROM ${quote(otherTable)})) AS r`).get()
      ).r,
    );
    return { spanDays: other.spanDays, recentRows: other.recentRows * ratio };
  }
  const ms = (/** @type {string} */ expr) => (column === "day" ? `(unixepoch(${expr}) * 1000)` : expr);
  const row = /** @type {{ first: number, last: number }} */ (
    db.prepare(`SELECT min(${ms(quote(column))}) AS first, max(${ms(quote(column))}) AS last FROM ${quote(table)}`).get()
  );
  const spanDays = Math.max(1, Math.round((Number(row.last) - Number(row.first)) / DAY_MS) + 1);
  const since = Number(row.last) - (Math.min(RATE_WINDOW_DAYS, spanDays) - 1) * DAY_MS - (column === "day" ? 0 : DAY_MS - 1);
  const recent = /** @type {{ n: number }} */ (
    db.prepare(`SELECT count(*) AS n FROM ${quote(table)} WHERE ${ms(quote(column))} >= ?`).get(since)
  );
  return { spanDays, recentRows: Number(recent.n) };
}

/**
 * Bytes one row takes: its records (table and indexes) times the page overhead of the big tables, since
 * a small table's pages are mostly empty.
 * @param {Measured} m
 * @param {TableFigures} t
 */
const rowBytes = (m, t) => (t.rows > 0 ? (t.payloadBytes / t.rows) * m.overhead : 0);

/**
 * Rows a flow table gets per day at 1×: over its newest days when its rows span more than one day; when
 * they were all written the same day (by the API part of the seed) as rows per API-made order × orders a day.
 * @param {Measured} m
 * @param {TableFigures} t
 * @returns {{ perDay: number, how: "measured" | "per order" } | null}
 */
function dailyRate(m, t) {
  const growth = GROWTH[t.table];
  if (growth?.grows !== "flow" || !t.spanDays || t.recentRows === null) return null;
  if (t.spanDays > 1) return { perDay: t.recentRows / Math.min(RATE_WINDOW_DAYS, t.spanDays), how: "measured" };
  return { perDay: m.apiOrders > 0 ? (t.rows / m.apiOrders) * m.ordersPerDay : 0, how: "per order" };
}

/**
 * Rows and bytes at a multiple `k` of the measured shape, after `days` (flows kept forever).
 * @param {Measured} m
 * @param {TableFigures} t
 * @param {number} k
 * @param {number} [days]
 */
export function projected(m, t, k, days = HORIZON_DAYS) {
  const growth = GROWTH[t.table] ?? { grows: "fixed" };
  if (growth.grows === "fixed") return { rows: t.rows, bytes: t.pageBytes + t.indexPageBytes };
  const rate = dailyRate(m, t);
  const rows = rate && growth.grows === "flow" ? rate.perDay * k * Math.min(days, growth.keepDays ?? days) : t.rows * k;
  return { rows, bytes: rows * rowBytes(m, t) };
}

/**
 * Days until the database reaches D1's 10 GB at a multiple `k`: what does not accumulate (populations,
 * windows) at its size, plus the forever-kept flows' bytes per day.
 * @param {Measured} m
 * @param {number} k
 */
export function daysToLimit(m, k) {
  let standing = 0;
  let perDay = 0;
  for (const t of m.tables) {
    const growth = GROWTH[t.table] ?? { grows: "fixed" };
    const rate = dailyRate(m, t);
    if (growth.grows === "flow" && rate && growth.keepDays === undefined) perDay += rate.perDay * k * rowBytes(m, t);
    else standing += projected(m, t, k).bytes;
  }
  return { standing, perDay, days: standing >= D1_MAX_BYTES ? 0 : (D1_MAX_BYTES - standing) / perDay };
}

/** worker/src/backups/dump.ts: a page's literals come to about PAGE_BYTES, the first page is 16 rows, no page over 1000. */
const EXPORT_PAGE = { bytes: 1_000_000, firstRows: 16, maxRows: 1000 };
/** D1 queries one export step may make (STEP_QUERIES in worker/src/backups/export.ts), one step per cron tick. */
const EXPORT_STEP_QUERIES = 300;
/** Cron ticks a day (every 5 minutes, wrangler.toml). */
const TICKS_PER_DAY = 288;

/**
 * D1 queries a day's backup export makes in all (over its steps) at a multiple `k` after `days` (0: the rows measured) (worker/src/backups/export.ts): the
 * migrations, the table list, two PRAGMAs per table, then its pages in key order (a page that comes back full
 * is followed by another read).
 * @param {Measured} m
 * @param {number} k
 * @param {number} [days]
 */
/** Cron ticks an export of `queries` D1 queries takes, a step of EXPORT_STEP_QUERIES each. @param {number} queries */
const exportTicks = (queries) => Math.ceil(queries / EXPORT_STEP_QUERIES);

export function exportQueries(m, k, days = HORIZON_DAYS) {
  let queries = 2;
  for (const t of m.tables) {
    if (t.literalBytes === null) continue;
    const rows = days === 0 ? t.rows : Math.round(projected(m, t, k, days).rows);
    const perPage = Math.max(1, Math.min(EXPORT_PAGE.maxRows, Math.floor(EXPORT_PAGE.bytes / Math.max(1, t.literalBytes))));
    queries += 2 + (rows < EXPORT_PAGE.firstRows ? 1 : 2 + Math.floor((rows - EXPORT_PAGE.firstRows) / perPage));
  }
  return queries;
}

/** Rows in the database at a multiple `k` after `days` (0: the rows measured). */
const totalRows = (/** @type {Measured} */ m, /** @type {number} */ k, days = HORIZON_DAYS) =>
  m.tables.reduce((sum, t) => sum + (days === 0 ? t.rows : projected(m, t, k, days).rows), 0);

/** The smallest multiple (to 0.1) at which `over(k)` holds, searched up to 10,000×. */
function firstMultiple(/** @type {(k: number) => boolean} */ over) {
  let [low, high] = [0.1, 10_000];
  if (!over(high)) return Number.POSITIVE_INFINITY;
  while (high - low > 0.1) {
    const mid = (low + high) / 2;
    if (over(mid)) high = mid;
    else low = mid;
  }
  return Math.round(high * 10) / 10;
}

const fmtBytes = (/** @type {number} */ n) =>
  n >= 1e9
    ? `${(n / 1e9).toFixed(2)} GB`
    : n >= 1e6
      ? `${(n / 1e6).toFixed(1)} MB`
      : n >= 1e3
        ? `${(n / 1e3).toFixed(1)} kB`
        : `${Math.round(n)} B`;
const fmtRows = (/** @type {number} */ n) =>
  n >= 1e6 ? `${(n / 1e6).toFixed(1)} M` : n >= 1e4 ? `${(n / 1e3).toFixed(0)} k` : n >= 10 ? String(Math.round(n)) : n.toFixed(1);

/**
 * The table docs/scale.md cites.
 * @param {Measured} m
 * @param {string} file
 * @param {WebhookProbe | null} probe
 */
function report(m, file, probe) {
  const lines = [
    `D1 file ${file}: ${fmtBytes(m.fileBytes)} in ${m.pageSize}-byte pages; page overhead over the records ${m.overhead.toFixed(2)}×`,
    `orders a day (newest ${RATE_WINDOW_DAYS} days): ${m.ordersPerDay.toFixed(1)}; orders made through the API: ${m.apiOrders}`,
    `flows kept forever are projected ${HORIZON_DAYS} days; † = rate from rows per API-made order × orders a day`,
    "",
    "| table | grows with | rows 1× | pages 1× | bytes/row | rows/day 1× | kept | rows 10× | bytes 10× | rows 100× | bytes 100× |",
    "|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|",
  ];
  const sorted = [...m.tables].sort((a, b) => projected(m, b, 100).bytes - projected(m, a, 100).bytes);
  for (const t of sorted) {
    const growth = GROWTH[t.table] ?? { grows: "fixed", by: "(not in the growth model)" };
    const rate = dailyRate(m, t);
    const p10 = projected(m, t, 10);
    const p100 = projected(m, t, 100);
    const kept = growth.grows === "flow" ? (growth.keepDays ? `${growth.keepDays} d` : "forever") : growth.grows;
    const perDay = rate ? `${rate.perDay.toFixed(1)}${rate.how === "per order" ? " †" : ""}` : "";
    lines.push(
      `| ${t.table} | ${growth.by ?? ""} | ${t.rows} | ${fmtBytes(t.pageBytes + t.indexPageBytes)} | ${t.rows ? Math.round(rowBytes(m, t)) : ""} | ${perDay} | ${kept} | ${fmtRows(p10.rows)} | ${fmtBytes(p10.bytes)} | ${fmtRows(p100.rows)} | ${fmtBytes(p100.bytes)} |`,
    );
  }
  const total = (/** @type {number} */ k) => m.tables.reduce((sum, t) => sum + projected(m, t, k).bytes, 0);
  lines.push("", `total after ${HORIZON_DAYS} days: 1× ${fmtBytes(total(1))}, 10× ${fmtBytes(total(10))}, 100× ${fmtBytes(total(100))}`);
  for (const k of [1, 10, 100, 1000]) {
    const { standing, perDay, days } = daysToLimit(m, k);
    lines.push(
      `${k}×: ${fmtBytes(standing)} standing + ${fmtBytes(perDay)}/day kept forever: D1's 10 GB after ${days >= 1e5 ? "> 100,000" : Math.round(days)} days`,
    );
  }
  lines.push(
    "",
    `backup export (steps of ${EXPORT_STEP_QUERIES} D1 queries, one a tick): ${exportQueries(m, 1, 0)} D1 queries now; after ${HORIZON_DAYS} days ${exportQueries(m, 1)} at 1×, ${exportQueries(m, 10)} at 10×, ${exportQueries(m, 100)} at 100×` +
      ` (${exportTicks(exportQueries(m, 100))} of the day's ${TICKS_PER_DAY} ticks); more than a day's ticks from ${firstMultiple((k) => exportTicks(exportQueries(m, k)) > TICKS_PER_DAY)}× after ${HORIZON_DAYS} days`,
    `rows: ${Math.round(totalRows(m, 1, 0))} now; after ${HORIZON_DAYS} days ${Math.round(totalRows(m, 1))} at 1×, ${Math.round(totalRows(m, 10))} at 10×, ${Math.round(totalRows(m, 100))} at 100×`,
  );
  if (probe) {
    lines.push(
      "",
      `webhook probe: ${probe.deliveries} test deliveries to a local receiver, rows and bytes (records × overhead) added per delivery:`,
      ...probe.tables.map(
        (t) => `  ${t.table}: ${(t.rows / probe.deliveries).toFixed(2)} rows, ${Math.round(t.bytes / probe.deliveries)} B`,
      ),
      "daily jobs over the whole database, run on the copy (operator run-now):",
      ...probe.jobs.map(
        (j) =>
          `  ${j.job}: ${j.status}, ${j.processed} rows processed, ${j.ms}-${j.maxMs} ms (fastest-slowest of ${JOB_RUNS})` +
          (j.d1
            ? `; D1 (the whole run-now request): ${j.d1.queries} queries, ${j.d1.rowsRead} rows read, ${j.d1.rowsWritten} written`
            : ""),
      ),
    );
    // The rebuild is one D1 batch over every source row: linear in the rows, the primary busy for all of it.
    const rebuild = probe.jobs.find((j) => j.job === "analytics-backfill");
    if (rebuild) {
      const msPerRow = rebuild.ms / totalRows(m, 1, 0);
      const at = (/** @type {number} */ k) => (msPerRow * totalRows(m, k)) / 1000;
      lines.push(
        `analytics rebuild, linear in rows: ${at(1).toFixed(1)} s at 1×, ${at(10).toFixed(1)} s at 10×, ${at(100).toFixed(1)} s at 100× after ${HORIZON_DAYS} days;` +
          ` over D1's 30 s per batch from ${firstMultiple((k) => at(k) > 30)}×`,
      );
    }
  }
  return { text: lines.join("\n"), totals: { 1: total(1), 10: total(10), 100: total(100) } };
}

/**
 * @typedef {{ deliveries: number, tables: { table: string, rows: number, bytes: number }[], jobs: { job: string, status: string, processed: number, ms: number, maxMs: number, d1: { queries: number, rowsRead: number, rowsWritten: number } | null }[] }} WebhookProbe
 */

/**
 * What a webhook delivery adds to D1, which the demo has none of (no endpoint): a copy of the state gets an
 * endpoint at a local receiver and `count` test events, and the webhook tables are measured before and after.
 * The copy also times the daily jobs that read the whole database (the analytics rebuild, the backup export).
 * @param {{ stateDir: string, secrets: Record<string, string>, author: { email: string, password: string, orgSlug: string }, operator: { email: string, password: string }, count: number }} options
 * @returns {Promise<WebhookProbe>}
 */
async function probeCopy({ stateDir, secrets, author, operator, count }) {
  const { startWranglerDev } = await import("./lib/wrangler-dev.mjs");
  const { apiRequest } = await import("./lib/api-request.mjs");
  const { eventually } = await import("./lib/eventually.ts");
  const { WAIT } = await import("./lib/wait-budgets.mjs");
  const probeDir = mkdtempSync(join(tmpdir(), "plaza-scale-probe-"));
  cpSync(stateDir, probeDir, { recursive: true });
  let received = 0;
  const receiver = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received++;
      res.end("ok");
    });
  });
  await new Promise((done) => receiver.listen(0, "127.0.0.1", () => done(undefined)));
  const port = /** @type {import("node:net").AddressInfo} */ (receiver.address()).port;
  const before = measure(d1File(probeDir));
  // BENCH=1: each answer carries the request's D1 round trips and rows (worker/src/bench/d1-meter.ts).
  const api = await startWranglerDev({ persistTo: probeDir, migrate: false, secrets, vars: { BENCH: "1" } });
  try {
    const { accessToken: token } = await apiRequest(api.url, "POST", "/v1/auth/login", {
      body: { email: author.email, password: author.password },
    });
    const me = await apiRequest(api.url, "GET", "/v1/me", { token });
    const orgId = me.orgs.find((/** @type {{ slug: string }} */ o) => o.slug === author.orgSlug)?.orgId;
    const base = `/v1/orgs/${orgId}/webhooks/endpoints`;
    const endpoint = await apiRequest(api.url, "POST", base, {
      token,
      body: { url: `http://127.0.0.1:${port}/hook`, description: "scale-tables probe" },
    });
    for (let i = 0; i < count; i++) await apiRequest(api.url, "POST", `${base}/${endpoint.id}/test`, { token });
    // Each attempt is recorded after its fetch: wait for the attempts, not only for the receiver.
    await eventually(
      `${count} recorded webhook attempts`,
      async () =>
        received >= count &&
        (await apiRequest(api.url, "GET", `${base}/${endpoint.id}/attempts?limit=100`, { token })).data.length >= count,
      { timeoutMs: WAIT.backgroundWork, intervalMs: 250 },
    );
    // The daily jobs whose work grows with the whole database, timed at this size (each one run through the operator API).
    const { accessToken: operatorToken } = await apiRequest(api.url, "POST", "/v1/auth/login", {
      body: { email: operator.email, password: operator.password },
    });
    const jobs = [];
    for (const job of ["analytics-backfill", "export-d1-backup"]) {
      // The fastest of a few runs: on a shared machine the others measure the neighbours too.
      const runs = [];
      for (let i = 0; i < JOB_RUNS; i++) runs.push(await runJobNow(api.url, operatorToken, job));
      const ms = runs.map(({ run }) => (run.finishedAt ?? run.startedAt) - run.startedAt);
      const failed = runs.find(({ run }) => run.status !== "succeeded");
      const { run, d1 } = /** @type {(typeof runs)[number]} */ (runs[0]);
      jobs.push({
        job,
        status: failed?.run.status ?? "succeeded",
        processed: run.processed,
        ms: Math.min(...ms),
        maxMs: Math.max(...ms),
        d1,
      });
    }
    await api.stop();
    const after = measure(d1File(probeDir));
    const tables = ["webhook_events", "webhook_deliveries", "webhook_attempts"].map((table) => {
      const [b, a] = [before, after].map((m) => m.tables.find((t) => t.table === table));
      const rows = (a?.rows ?? 0) - (b?.rows ?? 0);
      return { table, rows, bytes: ((a?.payloadBytes ?? 0) - (b?.payloadBytes ?? 0)) * after.overhead };
    });
    return { deliveries: count, tables, jobs };
  } finally {
    await api.stop();
    receiver.close();
    rmSync(probeDir, { recursive: true, force: true });
  }
}

/**
 * An operator's run-now of `job`, with the D1 work BENCH=1's meter reports for the request (the job runs in it).
 * @param {string} apiUrl
 * @param {string} token
 * @param {string} job
 * @returns {Promise<{ run: { status: string, processed: number, startedAt: number, finishedAt: number | null }, d1: { queries: number, rowsRead: number, rowsWritten: number } | null }>}
 */
async function runJobNow(apiUrl, token, job) {
  const res = await fetch(`${apiUrl}/v1/operator/jobs/${job}/run`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`run-now of ${job}: ${res.status} ${await res.text()}`);
  const header = (/** @type {string} */ name) => res.headers.get(name);
  const queries = header("x-d1-queries");
  const d1 =
    queries === null
      ? null
      : { queries: Number(queries), rowsRead: Number(header("x-d1-rows-read")), rowsWritten: Number(header("x-d1-rows-written")) };
  return { run: await res.json(), d1 };
}

/**
 * A fresh state dir with the demo as `npm start` seeds it, minus the web build and the rooms.
 * @returns {Promise<{ stateDir: string, probe: WebhookProbe }>}
 */
async function seedFreshState() {
  const { applyMigrations, ephemeralSecrets, startWranglerDev } = await import("./lib/wrangler-dev.mjs");
  const { startStripeEmulator } = await import("./lib/stripe-emulator.mjs");
  const { freePort } = await import("./lib/processes.mjs");
  const { DEMO_ORGS, DEMO_PASSWORD, DEMO_USERS, seed } = await import("./seed.mjs");
  const payments = await import("./seed-payments.mjs");
  const { seedStudio } = await import("./seed-studio.mjs");
  const { runAnalyticsBackfill } = await import("./seed-analytics.mjs");

  const stateDir = mkdtempSync(join(tmpdir(), "plaza-scale-state-"));
  const log = (/** @type {string} */ line) => console.error(`[scale-tables] ${line}`);
  log(`seeding ${stateDir}: migrations, SQL seed…`);
  await applyMigrations(stateDir);
  await seed({ persistTo: stateDir });
  const secrets = ephemeralSecrets();
  const stripePort = await freePort();
  log("starting wrangler dev and the Stripe emulator for the API-seeded part…");
  const api = await startWranglerDev({
    persistTo: stateDir,
    migrate: false,
    secrets,
    // As npm start runs it (start.mjs startApi).
    vars: { STRIPE_EMULATOR_URL: `http://127.0.0.1:${stripePort}`, TAX_COLLECTION: "automatic" },
  });
  const stripe = await startStripeEmulator({
    port: stripePort,
    persistTo: join(stateDir, "stripe-emulator"),
    plazaUrl: api.url,
    webhookSecret: secrets.STRIPE_WEBHOOK_SECRET,
    connectWebhookSecret: secrets.STRIPE_CONNECT_WEBHOOK_SECRET,
  }).catch(async (err) => {
    await api.stop();
    throw err;
  });
  const org = /** @type {{ slug: string, owner: string }} */ (DEMO_ORGS[0]);
  const operatorEmail = /** @type {{ email: string }} */ (DEMO_USERS.find((user) => user.isOperator)).email;
  try {
    const author = { apiUrl: api.url, authorEmail: org.owner, password: DEMO_PASSWORD, orgSlug: org.slug };
    await payments.seedConnectOnboarding({ apiUrl: api.url, email: org.owner, password: DEMO_PASSWORD, orgSlug: org.slug });
    await seedStudio({ ...author, withPurchases: true });
    await payments.seedTaxedOrder(author);
    await payments.seedOpenDispute({ ...author, stripeUrl: stripe.url });
    await payments.seedCoupon(author);
    await runAnalyticsBackfill({ apiUrl: api.url, operatorEmail, password: DEMO_PASSWORD });
    log("seeded");
  } finally {
    await Promise.allSettled([api.stop(), stripe.stop()]);
  }
  log(`on a copy of the state: ${WEBHOOK_PROBE_DELIVERIES} webhook deliveries, then the daily analytics rebuild and backup export…`);
  const probe = await probeCopy({
    stateDir,
    secrets,
    author: { email: org.owner, password: DEMO_PASSWORD, orgSlug: org.slug },
    operator: { email: operatorEmail, password: DEMO_PASSWORD },
    count: WEBHOOK_PROBE_DELIVERIES,
  });
  return { stateDir, probe };
}

/** Runs of each daily job timed on the copy. */
const JOB_RUNS = 3;
/** Test deliveries the probe sends: enough that a page boundary does not dominate the per-delivery bytes. */
const WEBHOOK_PROBE_DELIVERIES = 50;

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { seed: { type: "boolean", default: false }, keep: { type: "boolean", default: false }, json: { type: "string" } },
  });
  const seeded = values.seed ? await seedFreshState() : null;
  const stateDir = seeded?.stateDir ?? resolve(positionals[0] ?? join(ROOT, ".wrangler/state"));
  try {
    const file = d1File(stateDir);
    const measured = measure(file);
    const { text, totals } = report(measured, file, seeded?.probe ?? null);
    console.log(text);
    if (values.json) {
      const tables = measured.tables.map((t) => ({
        ...t,
        growth: GROWTH[t.table] ?? null,
        rowBytes: rowBytes(measured, t),
        perDay: dailyRate(measured, t),
        at10: projected(measured, t, 10),
        at100: projected(measured, t, 100),
      }));
      const limit = [1, 10, 100, 1000].map((k) => ({ k, ...daysToLimit(measured, k) }));
      const { tables: _, ...summary } = measured;
      const exportFigures = {
        now: exportQueries(measured, 1, 0),
        ...Object.fromEntries([1, 10, 100].map((k) => [`at${k}`, exportQueries(measured, k)])),
        moreThanADayFrom: firstMultiple((k) => exportTicks(exportQueries(measured, k)) > TICKS_PER_DAY),
      };
      const json = {
        stateDir,
        ...summary,
        horizonDays: HORIZON_DAYS,
        totals,
        daysToD1Limit: limit,
        exportQueries: exportFigures,
        webhookProbe: seeded?.probe ?? null,
        tables,
      };
      writeFileSync(values.json, `${JSON.stringify(json, null, 2)}\n`);
    }
  } finally {
    if (seeded && !values.keep) rmSync(stateDir, { recursive: true, force: true });
    else if (seeded) console.error(`[scale-tables] kept ${stateDir}`);
  }
}

await main();
