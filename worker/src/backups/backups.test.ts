/** The daily D1 export into R2 over real local D1 and R2: its manifest and chunks, paging, steps across ticks, retention, schedule. */
import { env } from "cloudflare:workers";
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { orgFixture } from "../../test/fixtures";
import { jobContext, jobsDueAt, runJobs } from "../../test/jobs";
import { type D1Usage, meteredD1 } from "../bench/d1-meter";
import type { Env } from "../env";
import type { JobContext } from "../module";
import { runtime } from "../modules";
import { checksumTables, FIRST_PAGE_ROWS, listTables, MAX_PAGE_ROWS, PAGE_BYTES, pagesOf, type Reader, type TableShape } from "./dump";
import {
  BACKUP_PREFIX,
  deleteExpiredDays,
  exportD1Backup,
  exportStep,
  MANIFEST,
  type Manifest,
  MIN_STEP_QUERIES,
  STEP_QUERIES,
  type StepResult,
} from "./export";
import { Sha256 } from "./sha256";

const read: Reader = async (sql, params) =>
  (
    await env.DB.prepare(sql)
      .bind(...params)
      .all<Record<string, unknown>>()
  ).results;
const NOW = Date.UTC(2026, 10, 20, 0, 0, 1);
const DAY = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** More than a first page and a full one: three pages, two keyset steps. */
const VIEWS = FIRST_PAGE_ROWS + MAX_PAGE_ROWS + 184;

const manifestOf = async (day: string) =>
  (await (await env.BUCKET.get(`${BACKUP_PREFIX}${day}/${MANIFEST}`))?.json()) as Manifest | undefined;
const chunkText = async (manifest: Manifest) => {
  let sql = "";
  for (const chunk of manifest.chunks) sql += await (await env.BUCKET.get(`${BACKUP_PREFIX}${manifest.day}/${chunk}`))!.text();
  return sql;
};

/** Every step's D1 round trips, counted below the binding (bench/d1-meter.ts), not by the export's own count. */
async function step(now: number, options: { queries?: number; fresh?: boolean } = {}, extra: Partial<Env> = {}) {
  const usage: D1Usage = { rowsRead: 0, rowsWritten: 0, queries: 0 };
  const metered = meteredD1(env.DB, usage);
  if (!metered) throw new Error("env.DB is not workerd's D1 binding");
  const result = await exportStep(jobContext({ ...env, ...extra, DB: metered }, now), options);
  expect(usage.queries).toBe(result.queries);
  expect(usage.queries).toBeLessThanOrEqual(options.queries ?? STEP_QUERIES);
  return result;
}

/** Steps at `now` until the export finishes; `between` runs after each unfinished step. */
async function exportAll(
  now: number,
  options: { queries?: number; fresh?: boolean; between?: (result: StepResult) => Promise<void> } = {},
): Promise<{ manifest: Manifest; steps: StepResult[] }> {
  const steps: StepResult[] = [];
  for (let i = 0; i < 500; i++) {
    const result = await step(now, { queries: options.queries, fresh: options.fresh && i === 0 });
    steps.push(result);
    if (result.outcome === "finished") return { manifest: result.manifest!, steps };
    expect(result.outcome).toBe("continued");
    await options.between?.(result);
  }
  throw new Error("the export did not finish in 500 steps");
}

/** 30 rows of 200 KB first in page_views' key order (day 2026-10-01): read a few a page, over several steps of a tiny budget. */
const WIDE_VIEWS = 30;
async function insertWideViews() {
  const wide = "w".repeat(200_000);
  await env.DB.batch(
    Array.from({ length: WIDE_VIEWS }, (_, i) =>
      env.DB.prepare("INSERT INTO page_views (day, id, org_id, item_id) VALUES ('2026-10-01', ?, 'org_x', ?)").bind(`pv_wide_${i}`, wide),
    ),
  );
}

const progressOf = async (day: string) =>
  await env.DB.prepare("SELECT * FROM backup_progress WHERE day = ?").bind(day).first<{
    export_id: string;
    tables: string;
    table_index: number;
    phase: string;
    after: string | null;
    lease_until: number;
    finished_at: number | null;
  }>();
const keysUnder = async (prefix: string) => (await env.BUCKET.list({ prefix })).objects.map((o) => o.key).sort();
/** A manifest without what differs between two exports of the same rows. */
const contentOf = ({ exportId, createdAt, chunks, day, ...rest }: Manifest) => rest;
/** The chunks' SQL without its first line (which names the export). */
const insertsOf = async (manifest: Manifest) => (await chunkText(manifest)).replace(/^-- Plaza D1 export [^\n]*\n/, "");

beforeAll(async () => {
  await orgFixture();
  // More rows than two pages, keyed (day, id), with the literals a dump must quote: a quote, a newline, a comma.
  const views = Array.from({ length: VIEWS }, (_, i) =>
    env.DB.prepare("INSERT INTO page_views (day, id, org_id, item_id) VALUES (?, ?, 'org_x', ?)").bind(
      `2026-11-${String(1 + (i % 3)).padStart(2, "0")}`,
      `pv_${String(i).padStart(4, "0")}`,
      i === 7 ? "it's\na, b" : "itm_x",
    ),
  );
  await env.DB.batch(views);
});

describe("export-d1-backup", () => {
  it("writes a manifest with each table's rows and checksum, and SQL chunks that insert exactly those rows", async () => {
    const { manifest } = await exportAll(NOW);
    expect(await manifestOf("2026-11-20")).toEqual(manifest);
    expect(manifest.migrations).toEqual(env.TEST_MIGRATIONS.map((m) => m.name));

    const tables = await listTables(read);
    const names = manifest.tables.map((t) => t.name);
    expect(names).toEqual(tables.map((t) => t.name));
    // Not SQLite's, D1's or the FTS index's own tables (the index is rebuilt by its triggers on restore).
    expect(names.filter((n) => /^(sqlite_|_cf_|d1_migrations|items_fts)/.test(n))).toEqual([]);
    for (const table of ["users", "orgs", "memberships", "page_views"]) expect(names).toContain(table);
    // Parents before children: orgs before memberships, users before orgs' members.
    expect(names.indexOf("orgs")).toBeLessThan(names.indexOf("memberships"));
    expect(names.indexOf("users")).toBeLessThan(names.indexOf("memberships"));

    // The checksums are the ones checksumTables computes again (what restore and the e2e test compare).
    const sums = await checksumTables(read, tables);
    for (const table of manifest.tables)
      expect({ table: table.name, ...sums[table.name] }).toEqual({ table: table.name, rows: table.rows, sha256: table.sha256 });
    const counted = await env.DB.prepare("SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM page_views) AS views").first<{
      users: number;
      views: number;
    }>();
    expect(manifest.tables.find((t) => t.name === "users")!.rows).toBe(counted!.users);
    expect(manifest.tables.find((t) => t.name === "page_views")!.rows).toBe(VIEWS);

    // The chunks hold one VALUES tuple per exported row, every table's in manifest order.
    const sql = await chunkText(manifest);
    const tuples = (table: string) => {
      const statements = sql.split(`INSERT INTO "${table}" (`).slice(1);
      return statements.reduce((n, s) => n + s.slice(0, s.indexOf(";\n")).split("),\n(").length, 0);
    };
    expect(tuples("page_views")).toBe(VIEWS);
    expect(tuples("users")).toBe(counted!.users);
    expect(sql).toContain("'it''s\na, b'");
    const firstInsert = (table: string) => sql.indexOf(`INSERT INTO "${table}" (`);
    expect(firstInsert("orgs")).toBeLessThan(firstInsert("memberships"));
  });

  it("sizes pages by their rows' literals: wide rows a few at a time, narrow ones up to MAX_PAGE_ROWS", async () => {
    const wide = "w".repeat(200_000);
    await env.DB.batch(
      Array.from({ length: 30 }, (_, i) =>
        env.DB.prepare("INSERT INTO page_views (day, id, org_id, item_id) VALUES ('2026-10-01', ?, 'org_x', ?)").bind(`pv_wide_${i}`, wide),
      ),
    );
    const table: TableShape = { name: "page_views", columns: ["day", "id", "org_id", "item_id"], key: ["day", "id"] };
    const pageBytes = (page: string[][]) => page.reduce((n, row) => n + row.join(",").length, 0);
    const widePages = [];
    for await (const page of pagesOf(read, table, { where: "day = ?", params: ["2026-10-01"] })) widePages.push(page);
    expect(widePages.flat()).toHaveLength(30);
    expect(widePages[0]).toHaveLength(FIRST_PAGE_ROWS);
    // After the first page, about PAGE_BYTES each (one row over at most).
    for (const page of widePages.slice(1)) expect(pageBytes(page)).toBeLessThan(PAGE_BYTES + wide.length + 100);
    expect(widePages.length).toBeGreaterThan(2);
    const narrowPages = [];
    for await (const page of pagesOf(read, table, { where: "day <> ?", params: ["2026-10-01"] })) narrowPages.push(page.length);
    expect(narrowPages).toEqual([FIRST_PAGE_ROWS, MAX_PAGE_ROWS, VIEWS - FIRST_PAGE_ROWS - MAX_PAGE_ROWS]);
    await env.DB.prepare("DELETE FROM page_views WHERE day = '2026-10-01'").run();
  });

  it("changes a table's checksum when one of its values changes", async () => {
    const before = await checksumTables(read, await listTables(read));
    await env.DB.prepare("UPDATE page_views SET item_id = 'itm_y' WHERE id = 'pv_0300'").run();
    const after = await checksumTables(read, await listTables(read));
    expect(after.page_views!.rows).toBe(before.page_views!.rows);
    expect(after.page_views!.sha256).not.toBe(before.page_views!.sha256);
    expect(after.users).toEqual(before.users);
  });

  it("is complete for the day once finished: a tick's step does nothing, an operator's Run now makes another that replaces it", async () => {
    const first = (await manifestOf("2026-11-20"))!;
    const idle = await step(NOW + 60_000);
    expect(idle).toMatchObject({ outcome: "idle", day: "2026-11-20", rows: 0, queries: 1 });
    expect((await manifestOf("2026-11-20"))!.exportId).toBe(first.exportId);

    // Run now: the job in a request's context (it has a principal) starts another export of today.
    const operator = { ...jobContext(env, NOW + 120_000), principal: { userId: "usr_operator" } } as unknown as JobContext;
    const rows = await exportD1Backup(operator);
    const second = (await manifestOf("2026-11-20"))!;
    expect(second.exportId).not.toBe(first.exportId);
    expect(rows).toBe(second.tables.reduce((n, t) => n + t.rows, 0));
    // The same tables and rows (a page view changed since the first: the checksums are of the rows now).
    expect(second.tables.map((t) => [t.name, t.rows])).toEqual(first.tables.map((t) => [t.name, t.rows]));
    const sums = await checksumTables(read, await listTables(read));
    for (const table of second.tables)
      expect({ table: table.name, ...sums[table.name] }).toEqual({ table: table.name, rows: table.rows, sha256: table.sha256 });
    expect(await keysUnder(`${BACKUP_PREFIX}2026-11-20/`)).toEqual(
      [MANIFEST, ...second.chunks].map((name) => `${BACKUP_PREFIX}2026-11-20/${name}`).sort(),
    );
  });

  it("keeps BACKUP_RETENTION_DAYS days (today's included) and deletes older days, whatever they hold", async () => {
    const days = ["2026-11-10", "2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19"];
    for (const day of days) {
      await env.BUCKET.put(`${BACKUP_PREFIX}${day}/${MANIFEST}`, "{}");
      await env.BUCKET.put(`${BACKUP_PREFIX}${day}/x/00001.sql`, "-- chunk");
    }
    await env.BUCKET.put(`${BACKUP_PREFIX}notes/readme.txt`, "not a day");
    const deleted = await deleteExpiredDays(jobContext({ ...env, BACKUP_RETENTION_DAYS: "4" }, NOW));
    expect(deleted.sort()).toEqual(["2026-11-10", "2026-11-16"]);
    const left = new Set((await env.BUCKET.list({ prefix: BACKUP_PREFIX })).objects.map((o) => o.key.split("/")[1]));
    expect([...left].sort()).toEqual(["2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20", "notes"]);
  });

  it("splits across many steps of a tiny budget into the same manifest and SQL as one step, the manifest only at the end", async () => {
    // Wide rows first in key order: page_views takes several steps, so steps end inside it.
    await insertWideViews();
    const one = await exportAll(NOW + DAY);
    const day = dayOf(NOW + 2 * DAY);
    let insideTable = 0;
    const split = await exportAll(NOW + 2 * DAY, {
      queries: MIN_STEP_QUERIES,
      between: async (result) => {
        expect(result.day).toBe(day);
        expect(await manifestOf(day)).toBeUndefined();
        if ((await progressOf(day))!.after !== null) insideTable++;
      },
    });
    expect(split.steps.length).toBeGreaterThan(20);
    expect(insideTable).toBeGreaterThan(0);
    expect(split.steps.every((s) => s.queries <= MIN_STEP_QUERIES)).toBe(true);
    expect(split.steps.reduce((n, s) => n + s.rows, 0)).toBe(split.manifest.tables.reduce((n, t) => n + t.rows, 0));
    expect(split.manifest.day).toBe(day);
    expect(contentOf(split.manifest)).toEqual(contentOf(one.manifest));
    const sums = await checksumTables(read, await listTables(read));
    for (const table of split.manifest.tables)
      expect({ table: table.name, ...sums[table.name] }).toEqual({ table: table.name, rows: table.rows, sha256: table.sha256 });
    expect(await insertsOf(split.manifest)).toBe(await insertsOf(one.manifest));
    expect(split.manifest.chunks.length).toBeGreaterThan(one.manifest.chunks.length);
    expect(await keysUnder(`${BACKUP_PREFIX}${day}/`)).toEqual(
      [MANIFEST, ...split.manifest.chunks].map((n) => `${BACKUP_PREFIX}${day}/${n}`).sort(),
    );
    expect(await progressOf(day)).toMatchObject({ finished_at: expect.any(Number), lease_until: 0 });
  });

  it("takes rows inserted between steps ahead of a table's position, not those behind it, and checksums what it took", async () => {
    const day = dayOf(NOW + 3 * DAY);
    let inserted = false;
    const { manifest } = await exportAll(NOW + 3 * DAY, {
      queries: MIN_STEP_QUERIES,
      between: async () => {
        const progress = (await progressOf(day))!;
        const table = (JSON.parse(progress.tables) as TableShape[])[progress.table_index];
        if (inserted || progress.phase !== "rows" || table?.name !== "page_views" || progress.after === null) return;
        await env.DB.batch([
          env.DB.prepare("INSERT INTO page_views (day, id, org_id, item_id) VALUES ('2026-09-30', 'pv_behind', 'org_x', 'itm_x')"),
          env.DB.prepare("INSERT INTO page_views (day, id, org_id, item_id) VALUES ('2026-12-31', 'pv_ahead', 'org_x', 'itm_x')"),
        ]);
        inserted = true;
      },
    });
    expect(inserted).toBe(true);
    const tables = await listTables(read);
    const sums = await checksumTables(read, tables, { page_views: { where: "id <> ?", params: ["pv_behind"] } });
    for (const table of manifest.tables)
      expect({ table: table.name, ...sums[table.name] }).toEqual({ table: table.name, rows: table.rows, sha256: table.sha256 });
    expect(manifest.tables.find((t) => t.name === "page_views")!.rows).toBe(VIEWS + WIDE_VIEWS + 1);
    const sql = await chunkText(manifest);
    expect(sql).toContain("'pv_ahead'");
    expect(sql).not.toContain("'pv_behind'");
    await env.DB.prepare("DELETE FROM page_views WHERE day IN ('2026-10-01', '2026-09-30', '2026-12-31')").run();
  });

  it("finishes yesterday's unfinished export before starting today's, and gives up one older than that", async () => {
    const [x, x1, x3] = [5, 6, 8].map((d) => NOW + d * DAY) as [number, number, number];
    for (let i = 0; i < 3; i++) expect(await step(x, { queries: MIN_STEP_QUERIES })).toMatchObject({ outcome: "continued", day: dayOf(x) });
    // The next day: yesterday's goes on until it is finished, then today's starts.
    const yesterday = await exportAll(x1, { queries: MIN_STEP_QUERIES, between: async (r) => expect(r.day).toBe(dayOf(x)) });
    expect(yesterday.manifest.day).toBe(dayOf(x));
    // Today's goes as far as its first chunks.
    for (let i = 0; i < 100 && (await keysUnder(`${BACKUP_PREFIX}${dayOf(x1)}/`)).length === 0; i++)
      expect(await step(x1, { queries: MIN_STEP_QUERIES })).toMatchObject({ outcome: "continued", day: dayOf(x1) });
    const unfinished = (await progressOf(dayOf(x1)))!;
    expect(unfinished.finished_at).toBeNull();
    expect((await keysUnder(`${BACKUP_PREFIX}${dayOf(x1)}/`)).length).toBeGreaterThan(0);
    // Two days later it is given up (its chunks deleted) and today's made instead.
    const today = await exportAll(x3);
    expect(today.manifest.day).toBe(dayOf(x3));
    expect(await progressOf(dayOf(x1))).toBeNull();
    expect(await keysUnder(`${BACKUP_PREFIX}${dayOf(x1)}/`)).toEqual([]);
    expect(await keysUnder(`${BACKUP_PREFIX}${dayOf(x1)}/${unfinished.export_id}/`)).toEqual([]);
  });

  it("runs one step at a time (a held lease), goes on after a failed step from its saved position, and starts again after a migration", async () => {
    const now = NOW + 9 * DAY;
    const day = dayOf(now);
    await step(now, { queries: MIN_STEP_QUERIES });
    await env.DB.prepare("UPDATE backup_progress SET lease_until = ? WHERE day = ?")
      .bind(Date.now() + 600_000, day)
      .run();
    const before = await progressOf(day);
    const keys = await keysUnder(`${BACKUP_PREFIX}${day}/`);
    expect(await step(now, { queries: MIN_STEP_QUERIES })).toMatchObject({ outcome: "busy", day, rows: 0, queries: 1 });
    expect(await progressOf(day)).toEqual(before);
    expect(await keysUnder(`${BACKUP_PREFIX}${day}/`)).toEqual(keys);
    await env.DB.prepare("UPDATE backup_progress SET lease_until = 0 WHERE day = ?").bind(day).run();

    // A step whose chunk cannot be written fails, keeps the saved position and frees the export for the next tick.
    const broken = { ...env.BUCKET, put: () => Promise.reject(new Error("R2 is down")) } as unknown as R2Bucket;
    await expect(step(now, { queries: STEP_QUERIES }, { BUCKET: broken })).rejects.toThrow("R2 is down");
    const lease = { lease_until: 0, lease_id: null, updated_at: 0 };
    expect({ ...(await progressOf(day)), ...lease }).toEqual({ ...before, ...lease });
    expect((await progressOf(day))!.lease_until).toBe(0);

    // The schema changed under it: it starts over (another export id), its old chunks deleted.
    await env.DB.prepare("UPDATE backup_progress SET migrations = '[\"0000_elsewhere.sql\"]' WHERE day = ?").bind(day).run();
    const { manifest } = await exportAll(now);
    expect(manifest.exportId).not.toBe(before!.export_id);
    expect(manifest.migrations).toEqual(env.TEST_MIGRATIONS.map((m) => m.name));
    expect(await keysUnder(`${BACKUP_PREFIX}${day}/${before!.export_id}/`)).toEqual([]);
    const sums = await checksumTables(read, await listTables(read));
    for (const table of manifest.tables)
      expect({ table: table.name, ...sums[table.name] }).toMatchObject({ table: table.name, rows: table.rows });
  });

  it("hashes like node:crypto's SHA-256, saved and taken up again anywhere", () => {
    const bytes = new TextEncoder().encode(`${"x,'it''s'\n".repeat(300)}é€😀`);
    for (const cuts of [[0], [1, 63, 64, 65], [55, 56, 57], [127, 128, 1000], [bytes.length]]) {
      let hash = new Sha256();
      let at = 0;
      for (const cut of [...cuts, bytes.length]) {
        hash = new Sha256(hash.update(bytes.subarray(at, Math.max(at, cut))).save());
        at = Math.max(at, cut);
      }
      expect(hash.hex()).toBe(createHash("sha256").update(bytes).digest("hex"));
    }
    expect(new Sha256().hex()).toBe(createHash("sha256").update("").digest("hex"));
    expect(() => new Sha256("not a state")).toThrow();
  });

  it("is due on every tick until today's export is complete, then does nothing until the next day; retention after it", async () => {
    const midnight = Date.UTC(2026, 11, 3);
    for (const tick of [midnight, midnight + 5 * 60_000, midnight + 12 * 3_600_000]) expect(jobsDueAt(tick)).toContain("export-d1-backup");
    const job = runtime.jobs["export-d1-backup"]!;
    let processed = 0;
    let tick = midnight + 10 * 3_600_000;
    for (; !(await manifestOf("2026-12-03")); tick += 5 * 60_000) {
      expect(tick).toBeLessThan(midnight + DAY);
      const results = await runJobs(tick, { ...env, BACKUP_RETENTION_DAYS: "14" }, { "export-d1-backup": job });
      expect(results["export-d1-backup"]).toMatchObject({ status: "succeeded" });
      processed += results["export-d1-backup"]!.processed;
    }
    const manifest = (await manifestOf("2026-12-03"))!;
    expect(processed).toBe(manifest.tables.reduce((n, t) => n + t.rows, 0));
    const after = await runJobs(tick, { ...env, BACKUP_RETENTION_DAYS: "14" }, { "export-d1-backup": job });
    expect(after["export-d1-backup"]).toEqual({ status: "succeeded", processed: 0 });
    expect((await manifestOf("2026-12-03"))!.exportId).toBe(manifest.exportId);
    // 14 days back from 2026-12-03 keeps 2026-11-20 on; the days before it are gone, and their progress rows.
    const left = new Set((await env.BUCKET.list({ prefix: BACKUP_PREFIX })).objects.map((o) => o.key.split("/")[1]!));
    expect([...left].filter((d) => d < "2026-11-20")).toEqual([]);
    expect(left).toContain("2026-11-20");
    expect(left).toContain("notes");
    const rows = await env.DB.prepare("SELECT day FROM backup_progress WHERE day < '2026-11-20'").all();
    expect(rows.results).toEqual([]);
  });
});
