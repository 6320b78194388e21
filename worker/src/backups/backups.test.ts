/** The daily D1 export into R2 over real local D1 and R2: its manifest and chunks, paging, retention, schedule. */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { orgFixture } from "../../test/fixtures";
import { jobContext, jobsDueAt, runJobs } from "../../test/jobs";
import { runtime } from "../modules";
import { checksumTables, FIRST_PAGE_ROWS, listTables, MAX_PAGE_ROWS, PAGE_BYTES, pagesOf, type Reader, type TableShape } from "./dump";
import { BACKUP_PREFIX, deleteExpiredDays, MANIFEST, type Manifest, writeExport } from "./export";

const read: Reader = async (sql, params) =>
  (
    await env.DB.prepare(sql)
      .bind(...params)
      .all<Record<string, unknown>>()
  ).results;
const NOW = Date.UTC(2026, 10, 20, 0, 0, 1);
/** More than a first page and a full one: three pages, two keyset steps. */
const VIEWS = FIRST_PAGE_ROWS + MAX_PAGE_ROWS + 184;

const manifestOf = async (day: string) =>
  (await (await env.BUCKET.get(`${BACKUP_PREFIX}${day}/${MANIFEST}`))?.json()) as Manifest | undefined;
const chunkText = async (manifest: Manifest) => {
  let sql = "";
  for (const chunk of manifest.chunks) sql += await (await env.BUCKET.get(`${BACKUP_PREFIX}${manifest.day}/${chunk}`))!.text();
  return sql;
};

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
    const manifest = await writeExport(jobContext(env, NOW));
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

  it("a second export of the same day replaces the first: its manifest, and only its chunks stay", async () => {
    const first = await writeExport(jobContext(env, NOW + 1000));
    const second = await writeExport(jobContext(env, NOW + 2000));
    expect(second.exportId).not.toBe(first.exportId);
    const listed = await env.BUCKET.list({ prefix: `${BACKUP_PREFIX}2026-11-20/` });
    expect(listed.objects.map((o) => o.key).sort()).toEqual(
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

  it("is a daily job: run on the first tick of a UTC day, by the scheduler, with retention", async () => {
    const midnight = Date.UTC(2026, 11, 3);
    expect(jobsDueAt(midnight)).toContain("export-d1-backup");
    expect(jobsDueAt(midnight + 5 * 60_000)).not.toContain("export-d1-backup");
    const job = runtime.jobs["export-d1-backup"]!;
    const results = await runJobs(midnight, { ...env, BACKUP_RETENTION_DAYS: "14" }, { "export-d1-backup": job });
    expect(results["export-d1-backup"]).toMatchObject({ status: "succeeded" });
    const manifest = await manifestOf("2026-12-03");
    expect(results["export-d1-backup"]!.processed).toBe(manifest!.tables.reduce((n, t) => n + t.rows, 0));
    // 14 days back from 2026-12-03 keeps 2026-11-20 on; the days before it are gone.
    const left = new Set((await env.BUCKET.list({ prefix: BACKUP_PREFIX })).objects.map((o) => o.key.split("/")[1]));
    expect([...left].sort()).toEqual(["2026-11-20", "2026-12-03", "notes"]);
  });
});
