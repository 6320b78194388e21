import { randomBase62 } from "../crypto/random";
import { utcDay } from "../db/rollups";
import type { Job, JobContext } from "../module";
import {
  CHECKSUM_DEFINITION,
  type Literals,
  listTables,
  pagesOf,
  quoteIdent,
  type Reader,
  type TableShape,
  type TableSum,
  tableChecksum,
} from "./dump";

/** Where the exports live in R2: `backups/<YYYY-MM-DD>/manifest.json` beside that export's SQL chunks. Declared by no module, so the orphan sweep never touches it. */
export const BACKUP_PREFIX = "backups/";
export const MANIFEST = "manifest.json";
export const FORMAT = "plaza-d1-export/1";
const DEFAULT_RETENTION_DAYS = 14;
/** A chunk object is written once its SQL passes this size: memory holds one chunk and one page. */
const CHUNK_BYTES = 4 * 1024 * 1024;
/** D1's limit on one statement is 100 KB: an INSERT holds rows up to this many characters (a bigger row goes alone). */
const STATEMENT_BYTES = 90_000;
const DAY_MS = 86_400_000;

export interface ManifestTable extends TableShape, TableSum {}

/** `backups/<day>/manifest.json`: written last, so a day without it holds no complete export. */
export interface Manifest {
  format: typeof FORMAT;
  createdAt: number;
  day: string;
  exportId: string;
  /** d1_migrations' names in order: the schema the rows belong to (a restore applies exactly these). */
  migrations: string[];
  checksum: typeof CHECKSUM_DEFINITION;
  /** In restore order: parents before children. */
  tables: ManifestTable[];
  /** The SQL chunks, relative to the day's folder, in the order to run them. */
  chunks: string[];
}

/** Days of exports kept, today's included (BACKUP_RETENTION_DAYS, default 14). */
export function retentionDays(value: string | undefined) {
  const days = Number(value);
  return Number.isInteger(days) && days >= 1 && days <= 3650 ? days : DEFAULT_RETENTION_DAYS;
}

const d1Reader =
  (d1: D1Database): Reader =>
  async (sql, params) =>
    (
      await d1
        .prepare(sql)
        .bind(...params)
        .all<Record<string, unknown>>()
    ).results;

/** The SQL chunks of one export: appended statement by statement, written to R2 a few MB at a time. */
function chunkWriter(bucket: R2Bucket, folder: string, exportId: string) {
  const keys: string[] = [];
  let parts: string[] = [];
  let size = 0;
  const flush = async () => {
    if (size === 0) return;
    const name = `${exportId}/${String(keys.length + 1).padStart(5, "0")}.sql`;
    await bucket.put(`${folder}${name}`, parts.join(""), { httpMetadata: { contentType: "application/sql" } });
    keys.push(name);
    parts = [];
    size = 0;
  };
  return {
    keys,
    flush,
    async add(statement: string) {
      parts.push(statement);
      size += statement.length;
      if (size >= CHUNK_BYTES) await flush();
    },
  };
}

/** A page's rows as INSERT statements of at most STATEMENT_BYTES each. */
function insertStatements(table: TableShape, page: Literals[]) {
  const head = `INSERT INTO ${quoteIdent(table.name)} (${table.columns.map(quoteIdent).join(", ")}) VALUES\n`;
  const statements: string[] = [];
  let rows: string[] = [];
  let size = head.length;
  for (const row of page) {
    const tuple = `(${row.join(",")})`;
    if (rows.length > 0 && size + tuple.length > STATEMENT_BYTES) {
      statements.push(`${head}${rows.join(",\n")};\n`);
      rows = [];
      size = head.length;
    }
    rows.push(tuple);
    size += tuple.length + 2;
  }
  if (rows.length > 0) statements.push(`${head}${rows.join(",\n")};\n`);
  return statements;
}

/**
 * A logical export of every table into `backups/<day>/` (see Manifest), then the days past
 * retention deleted. Not a point-in-time snapshot: D1 has no long transactions, so each page is
 * one statement, and a row changed during the export may be seen before or after its change
 * (each table's checksum is of the rows as exported). D1 Time Travel is the point-in-time tool.
 * Encrypted columns stay as stored: a restore needs the same ENCRYPTION_KEYS to read them.
 * Answers the rows exported.
 */
export const exportD1Backup: Job = async (ctx) => {
  const manifest = await writeExport(ctx);
  await deleteExpiredDays(ctx);
  return manifest.tables.reduce((sum, t) => sum + t.rows, 0);
};

export async function writeExport({ env, now }: Pick<JobContext, "env" | "now">): Promise<Manifest> {
  const read = d1Reader(env.DB);
  const day = utcDay(now);
  const folder = `${BACKUP_PREFIX}${day}/`;
  // A second export of a day (an operator's run now) writes beside the first until its manifest replaces the first's.
  const exportId = `${now.toString(36)}-${randomBase62(6)}`;
  const migrations = (await read("SELECT name FROM d1_migrations ORDER BY id LIMIT 10000", [])).map((m) => String(m.name));
  const tables = await listTables(read);
  const chunks = chunkWriter(env.BUCKET, folder, exportId);
  await chunks.add(`-- Plaza D1 export ${day} (${exportId}), schema after ${migrations.at(-1) ?? "no migration"}\n`);
  const exported: ManifestTable[] = [];
  for (const table of tables) {
    const sum = tableChecksum();
    for await (const page of pagesOf(read, table)) {
      for (const row of page) sum.add(row);
      for (const statement of insertStatements(table, page)) await chunks.add(statement);
    }
    exported.push({ ...table, ...sum.result() });
  }
  await chunks.flush();
  const manifest: Manifest = {
    format: FORMAT,
    createdAt: now,
    day,
    exportId,
    migrations,
    checksum: CHECKSUM_DEFINITION,
    tables: exported,
    chunks: chunks.keys,
  };
  await env.BUCKET.put(`${folder}${MANIFEST}`, JSON.stringify(manifest, null, 2), { httpMetadata: { contentType: "application/json" } });
  // The day's earlier export (if any) is now superseded.
  const current = new Set([MANIFEST, ...chunks.keys]);
  await deleteUnder(env.BUCKET, folder, (key) => !current.has(key.slice(folder.length)));
  return manifest;
}

/** Deletes the objects under `prefix` that `doomed` picks, a listing page (≤ 1000 keys) at a time. */
async function deleteUnder(bucket: R2Bucket, prefix: string, doomed: (key: string) => boolean = () => true) {
  let cursor: string | undefined;
  let deleted = 0;
  do {
    const page = await bucket.list({ prefix, cursor });
    const keys = page.objects.map((o) => o.key).filter(doomed);
    if (keys.length > 0) await bucket.delete(keys);
    deleted += keys.length;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return deleted;
}

/** Deletes `backups/<day>/` for every day older than the retention window (today counts as one of its days). */
export async function deleteExpiredDays({ env, now }: Pick<JobContext, "env" | "now">) {
  const oldestKept = utcDay(now - (retentionDays(env.BACKUP_RETENTION_DAYS) - 1) * DAY_MS);
  const expired: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.BUCKET.list({ prefix: BACKUP_PREFIX, delimiter: "/", cursor });
    // Read through a narrow type: the web app's type check sees this file without the Workers' R2 types.
    const folders = (page as { delimitedPrefixes?: string[] }).delimitedPrefixes ?? [];
    for (const folder of folders) {
      const day = folder.slice(BACKUP_PREFIX.length, -1);
      if (/^\d{4}-\d{2}-\d{2}$/.test(day) && day < oldestKept) expired.push(folder);
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  for (const folder of expired) await deleteUnder(env.BUCKET, folder);
  return expired.map((folder) => folder.slice(BACKUP_PREFIX.length, -1));
}
