// Loading a D1 export (worker/src/backups) into a fresh local D1, and reading a local D1's per-table
// checksums the way the export computed them: `npm run restore` and the backup test share these.
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { checksumTables, listTables } from "../../../worker/src/backups/dump.ts";
import { bin, ROOT, run } from "../processes.mjs";
import { WAIT } from "../wait-budgets.mjs";
import { applyMigrations } from "../wrangler-dev.mjs";

/**
 * @typedef {{ name: string, columns: string[], key: string[] }} TableShape
 * @typedef {{ rows: number, sha256: string }} TableSum
 * @typedef {TableShape & TableSum} ManifestTable
 * @typedef {{ format: string, createdAt: number, day: string, exportId: string, migrations: string[], checksum: string, tables: ManifestTable[], chunks: string[] }} Manifest
 * @typedef {{ where: string, params: unknown[] }} RowFilter
 */

export const BACKUP_FORMAT = "plaza-d1-export/1";
const WRANGLER_ENV = { CI: "1", WRANGLER_SEND_METRICS: "false" };

/**
 * The SQLite file of the DB binding under a `--persist-to` dir (miniflare keeps one per D1 database), if any.
 * @param {string} persistTo
 * @returns {string | undefined}
 */
export function d1DatabaseFile(persistTo) {
  const dir = join(persistTo, "v3/d1/miniflare-D1DatabaseObject");
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (files.length > 1) throw new Error(`${dir} holds ${files.length} databases; expected Plaza's one`);
  return files[0] && join(dir, files[0]);
}

/**
 * Every table's row count and checksum in the local D1 under `persistTo`, computed as the export
 * computes them (worker/src/backups/dump.ts), over `tables` (default: the tables the DB has).
 * Only reads: it may be the state of a running `wrangler dev`.
 * @param {string} persistTo
 * @param {{ tables?: TableShape[], filters?: Record<string, RowFilter> }} [options]
 * @returns {Promise<{ tables: TableShape[], sums: Record<string, TableSum> }>}
 */
export async function localTableSums(persistTo, { tables, filters } = {}) {
  const file = d1DatabaseFile(persistTo);
  if (!file) throw new Error(`no local D1 under ${persistTo}`);
  // Read-only beside a running server (its WAL index is there); SQLite cannot open a WAL database
  // read-only without one, and with no server, nothing else is writing.
  const db = new DatabaseSync(file, { readOnly: existsSync(`${file}-shm`) });
  try {
    /** @type {(sql: string, params: readonly unknown[]) => Promise<Record<string, unknown>[]>} */
    const read = async (sql, params) => /** @type {Record<string, unknown>[]} */ (db.prepare(sql).all(.../** @type {any[]} */ (params)));
    const shapes = tables ?? (await listTables(read));
    return { tables: shapes, sums: await checksumTables(read, shapes, filters) };
  } finally {
    db.close();
  }
}

/** The D1 database and R2 bucket of wrangler.toml: the top level's (the ones `npm start` uses locally), or `env`'s. */
async function wranglerBindings(env) {
  const { unstable_readConfig } = await import("wrangler");
  const config = unstable_readConfig({ config: join(ROOT, "wrangler.toml"), env });
  const db = config.d1_databases.find((d) => d.binding === "DB");
  const bucket = config.r2_buckets.find((b) => b.binding === "BUCKET");
  if (!db || !bucket) throw new Error("wrangler.toml has no DB database or BUCKET bucket");
  return { db, bucketName: bucket.bucket_name, compatibilityDate: config.compatibility_date };
}

/** A wrangler config with only the DB binding of wrangler.toml, its migrations in `migrationsDir`. */
function restoreConfig(db, compatibilityDate, migrationsDir) {
  return {
    name: "plaza-restore",
    compatibility_date: compatibilityDate,
    d1_databases: [{ binding: "DB", database_name: db.database_name, database_id: db.database_id, migrations_dir: migrationsDir }],
  };
}

/**
 * Copies `backups/<day>/` (its manifest, then the chunks it lists) out of R2 into `into`: the
 * local R2 under `from` (a `--persist-to` dir such as npm start's state), or with `remote` the
 * deployed bucket of wrangler.toml's environment `env` (its top level without one).
 * @param {{ day: string, into: string, from?: string, remote?: boolean, env?: string }} options
 * @returns {Promise<string>} the directory
 */
export async function downloadExport({ day, into, from, remote = false, env }) {
  const { bucketName } = await wranglerBindings(remote ? env : undefined);
  const where = remote ? ["--remote"] : ["--local", ...(from ? ["--persist-to", resolve(from)] : [])];
  const get = async (name) => {
    const file = join(into, name);
    mkdirSync(join(file, ".."), { recursive: true });
    await run(bin.wrangler, ["r2", "object", "get", `${bucketName}/backups/${day}/${name}`, ...where, "--file", file], {
      env: WRANGLER_ENV,
    });
    return file;
  };
  mkdirSync(into, { recursive: true });
  await get("manifest.json");
  const manifest = readManifest(into);
  for (const chunk of manifest.chunks) await get(chunk);
  return into;
}

/**
 * @param {string} dir
 * @returns {Manifest}
 */
export function readManifest(dir) {
  const file = join(dir, "manifest.json");
  if (!existsSync(file)) throw new Error(`${dir} has no manifest.json: not a D1 export (or an unfinished one)`);
  const manifest = JSON.parse(readFileSync(file, "utf8"));
  if (manifest.format !== BACKUP_FORMAT) throw new Error(`${file}: format ${manifest.format}, expected ${BACKUP_FORMAT}`);
  return manifest;
}

/**
 * Loads the export in `dir` into a fresh local D1 under `persistTo` (refused if a D1 is there):
 * applies exactly the export's migrations, runs its SQL chunks in one file (foreign keys checked
 * at its end), then compares every table's rows and checksum with the manifest.
 * @param {{ dir: string, persistTo: string, log?: (line: string) => void }} options
 * @returns {Promise<{ manifest: Manifest, tables: { name: string, expected: TableSum, restored: TableSum | undefined, ok: boolean }[], ok: boolean }>}
 */
export async function restoreExport({ dir, persistTo, log = () => {} }) {
  const manifest = readManifest(dir);
  const target = resolve(persistTo);
  if (d1DatabaseFile(target)) throw new Error(`${target} already holds a D1 database: restore only into a fresh directory`);
  const missing = manifest.chunks.filter((chunk) => !existsSync(join(dir, chunk)));
  if (missing.length > 0) throw new Error(`${dir} lacks chunks the manifest lists: ${missing.join(", ")}`);

  const repoMigrations = readdirSync(join(ROOT, "migrations"))
    .filter((f) => f.endsWith(".sql"))
    .sort();
  const unknown = manifest.migrations.filter((name, i) => repoMigrations[i] !== name);
  if (unknown.length > 0)
    throw new Error(
      `the export's schema is not this checkout's: its migrations ${unknown.join(", ")} differ from migrations/ (check out the commit that made it)`,
    );

  const { db, compatibilityDate } = await wranglerBindings();
  const work = mkdtempSync(join(tmpdir(), "plaza-restore-"));
  try {
    // The restored state has wrangler.toml's database id, so `npm start` or `wrangler dev --persist-to` opens it.
    const config = join(work, "wrangler.json");
    mkdirSync(target, { recursive: true });
    if (manifest.migrations.length === repoMigrations.length) {
      log(`applying the ${manifest.migrations.length} migrations (up to ${manifest.migrations.at(-1)}) to ${target}…`);
      // Into the empty dir: a copy of the migrated template npm start and the e2e servers use.
      await applyMigrations(target);
      writeFileSync(config, JSON.stringify(restoreConfig(db, compatibilityDate, join(ROOT, "migrations"))));
    } else {
      // The export is older than this checkout: exactly its migrations, from a config that lists only them.
      log(
        `applying the export's ${manifest.migrations.length} of ${repoMigrations.length} migrations (up to ${manifest.migrations.at(-1)}) to ${target}…`,
      );
      mkdirSync(join(work, "migrations"));
      for (const name of manifest.migrations) copyFileSync(join(ROOT, "migrations", name), join(work, "migrations", name));
      writeFileSync(config, JSON.stringify(restoreConfig(db, compatibilityDate, join(work, "migrations"))));
      await run(bin.wrangler, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", target, "--config", config], {
        env: WRANGLER_ENV,
        timeoutMs: 3 * WAIT.serverStart,
      });
    }

    const data = join(work, "data.sql");
    // The chunks insert parents before children; a row that refers to a later row of its own table is checked at the end.
    writeFileSync(data, "PRAGMA defer_foreign_keys = on;\n");
    for (const chunk of manifest.chunks) appendFileSync(data, readFileSync(join(dir, chunk)));
    const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
    log(`loading ${rows} rows of ${manifest.tables.length} tables from ${manifest.chunks.length} chunks…`);
    await run(bin.wrangler, ["d1", "execute", "DB", "--local", "--persist-to", target, "--config", config, "--file", data, "--yes"], {
      env: WRANGLER_ENV,
      timeoutMs: 3 * WAIT.serverStart,
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const { sums } = await localTableSums(target, { tables: manifest.tables });
  const tables = manifest.tables.map(({ name, rows, sha256 }) => {
    const restored = sums[name];
    return { name, expected: { rows, sha256 }, restored, ok: restored?.rows === rows && restored.sha256 === sha256 };
  });
  return { manifest, tables, ok: tables.every((t) => t.ok) };
}
