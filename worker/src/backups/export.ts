import { and, eq, isNotNull, isNull, lt, lte, or } from "drizzle-orm";
import { randomBase62 } from "../crypto/random";
import { utcDay } from "../db/rollups";
import type { Job, JobContext } from "../module";
import {
  CHECKSUM_DEFINITION,
  checksumText,
  type DescribedTable,
  d1Reader,
  describeTable,
  FIRST_PAGE,
  type Literals,
  orderTables,
  quoteIdent,
  type Reader,
  readPage,
  type TableShape,
  type TableSum,
  tableNames,
} from "./dump";
import { Sha256 } from "./sha256";
import { backupProgress } from "./tables";

/** Where the exports live in R2: `backups/<YYYY-MM-DD>/manifest.json` beside that export's SQL chunks. Declared by no module, so the orphan sweep never touches it. */
export const BACKUP_PREFIX = "backups/";
export const MANIFEST = "manifest.json";
export const FORMAT = "plaza-d1-export/1";
const DEFAULT_RETENTION_DAYS = 14;
/** A chunk object is written once its SQL passes this size, and at the end of each step: memory holds one chunk and one page. */
const CHUNK_BYTES = 4 * 1024 * 1024;
/** D1's limit on one statement is 100 KB: an INSERT holds rows up to this many characters (a bigger row goes alone). */
const STATEMENT_BYTES = 90_000;
const DAY_MS = 86_400_000;

/**
 * D1 statements one step of the export makes at most (each a round trip). A cron invocation may
 * make 1,000 (Workers Paid) and runs every due job: the others make about 40 a tick (docs/scale.md
 * §3), two job_runs statements each beside; 300 leaves them over 600. At 300 a tick the export
 * reads up to ~290 pages (≤ 1,000 rows or ≈ 1 MB each) every 5 minutes: 288 ticks a day.
 */
export const STEP_QUERIES = 300;
/** The fewest a step may be given: its bookkeeping (≤ 5: progress, migrations, a given-up export, the table list, the claim) + a table's description (2) + RESERVED. */
export const MIN_STEP_QUERIES = 10;
/** Kept for a step's end: saving its position, or finishing (the row, then old rows deleted), or releasing its lease after a failure. */
const RESERVED = 2;
/** A step holds the export this long (ms); it takes no new page after STEP_MS and writes no chunk after its lease. */
const LEASE_MS = 10 * 60_000;
const STEP_MS = 2 * 60_000;

export interface ManifestTable extends TableShape, TableSum {}

/** `backups/<day>/manifest.json`: written last, so a day without it holds no complete export. */
export interface Manifest {
  format: typeof FORMAT;
  /** When the export started (its first step). */
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

const chunkName = (exportId: string, n: number) => `${exportId}/${String(n).padStart(5, "0")}.sql`;

/** The SQL chunks of one export from chunk `written + 1` on: appended statement by statement, written to R2 a few MB at a time. */
function chunkWriter(bucket: R2Bucket, folder: string, exportId: string, written: number, mayWrite: () => void) {
  let count = written;
  let parts: string[] = [];
  let size = 0;
  const flush = async () => {
    if (size === 0) return;
    mayWrite();
    await bucket.put(`${folder}${chunkName(exportId, count + 1)}`, parts.join(""), { httpMetadata: { contentType: "application/sql" } });
    count++;
    parts = [];
    size = 0;
  };
  return {
    get count() {
      return count;
    },
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

type Progress = typeof backupProgress.$inferSelect;

/** What one step did: nothing (today's export is complete, or another step holds the export), or some of it, or its end. */
export interface StepResult {
  outcome: "idle" | "busy" | "continued" | "finished";
  /** The export's day (its folder), if the step saw one. */
  day?: string;
  /** Rows this step exported. */
  rows: number;
  /** D1 statements this step made. */
  queries: number;
  /** The manifest, when this step wrote it. */
  manifest?: Manifest;
}

export interface StepOptions {
  /** At most this many D1 statements (default STEP_QUERIES, at least MIN_STEP_QUERIES). */
  queries?: number;
  /** Start another export of today even if today's is complete (an operator's Run now). */
  fresh?: boolean;
}

const encoder = new TextEncoder();
const sameNames = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((name, i) => name === b[i]);

/**
 * The daily logical export of every table into `backups/<day>/` (see Manifest), one bounded step
 * per cron tick: the job is due on every tick until today's export is complete. Not a point-in-time
 * snapshot: D1 has no long transactions, so each page is one statement, and a row changed during
 * the export may be seen before or after its change (each table's checksum is of the rows as
 * exported; a row inserted behind a table's position is not in it, one ahead of it is). D1 Time
 * Travel is the point-in-time tool. Encrypted columns stay as stored: a restore needs the same
 * ENCRYPTION_KEYS to read them. Answers the rows exported by this step.
 *
 * An operator's Run now (a request, so the context has a principal) is one step like a tick's,
 * with the same budget; when no export is unfinished it starts another of today, which replaces
 * today's once its manifest is written.
 */
export const exportD1Backup: Job = async (ctx) => (await exportStep(ctx, { fresh: ctx.principal !== undefined })).rows;

/**
 * One step of the export, at most `queries` D1 statements (see StepOptions). It takes the oldest
 * unfinished export (yesterday's is finished before today's starts; an older one, or one whose
 * schema changed since it started, is given up and its chunks deleted), or starts today's if there
 * is none; describes tables (two statements each), then reads pages from where the last step
 * stopped, appends them to the chunks and their rows to the table's running checksum, and saves its
 * position. The step that exports the last page writes the manifest, then deletes the days past
 * retention.
 */
export async function exportStep(
  { env, db, now, log }: Pick<JobContext, "env" | "db" | "now" | "log">,
  { queries: budget = STEP_QUERIES, fresh = false }: StepOptions = {},
): Promise<StepResult> {
  if (!(budget >= MIN_STEP_QUERIES)) throw new Error(`an export step needs at least ${MIN_STEP_QUERIES} D1 statements, given ${budget}`);
  let spent = 0;
  const count = <T>(query: PromiseLike<T>) => {
    spent++;
    return query;
  };
  const d1 = d1Reader(env.DB);
  const read: Reader = async (sql, params) => count(d1(sql, params));
  const today = utcDay(now);

  const known = await count(
    db
      .select()
      .from(backupProgress)
      .where(or(isNull(backupProgress.finishedAt), eq(backupProgress.day, today)))
      .orderBy(backupProgress.day),
  );
  let current: Progress | undefined = known.find((row) => row.finishedAt === null);
  const clock = Date.now();
  if (current && current.leaseUntil > clock) return { outcome: "busy", day: current.day, rows: 0, queries: spent };
  let migrations: string[] | undefined;
  if (current) {
    migrations = await migrationNames(read);
    const stale = current.day < utcDay(now - DAY_MS);
    if (stale || !sameNames(current.migrations, migrations)) {
      const gone = current;
      await count(
        db
          .delete(backupProgress)
          .where(and(eq(backupProgress.day, gone.day), eq(backupProgress.exportId, gone.exportId), lte(backupProgress.leaseUntil, clock))),
      );
      await deleteUnder(env.BUCKET, `${BACKUP_PREFIX}${gone.day}/${gone.exportId}/`);
      log("warn", "backup export given up", {
        day: gone.day,
        exportId: gone.exportId,
        reason: stale ? "not finished by the end of the next day" : "the schema changed",
      });
      current = undefined;
    }
  }

  const leaseId = randomBase62(12);
  const lease = { leaseId, leaseUntil: clock + LEASE_MS, updatedAt: clock };
  let claimed: Progress | undefined;
  if (!current) {
    if (!fresh && known.some((row) => row.day === today && row.finishedAt !== null))
      return { outcome: "idle", day: today, rows: 0, queries: spent };
    migrations ??= await migrationNames(read);
    const names = await tableNames(read);
    const start = {
      day: today,
      exportId: `${now.toString(36)}-${randomBase62(6)}`,
      startedAt: now,
      finishedAt: null,
      migrations,
      phase: "tables" as const,
      tables: names.map((name) => ({ name, columns: [], key: [], parents: [] })),
      tableIndex: 0,
      after: null,
      pageRows: FIRST_PAGE.limit,
      rows: 0,
      hashState: null,
      sums: [],
      chunks: 0,
      ...lease,
    };
    // Today's row, or (Run now) a new export in place of today's finished one; never over an unfinished one.
    [claimed] = await count(
      db
        .insert(backupProgress)
        .values(start)
        .onConflictDoUpdate({ target: backupProgress.day, set: start, setWhere: isNotNull(backupProgress.finishedAt) })
        .returning(),
    );
  } else {
    [claimed] = await count(
      db
        .update(backupProgress)
        .set(lease)
        .where(
          and(eq(backupProgress.day, current.day), eq(backupProgress.exportId, current.exportId), lte(backupProgress.leaseUntil, clock)),
        )
        .returning(),
    );
  }
  // Another step started or took it meanwhile.
  if (!claimed) return { outcome: "busy", day: current?.day ?? today, rows: 0, queries: spent };

  const state = { ...claimed };
  const folder = `${BACKUP_PREFIX}${state.day}/`;
  const deadline = clock + STEP_MS;
  const room = (cost: number) => spent + cost + RESERVED <= budget && Date.now() < deadline;
  const chunks = chunkWriter(env.BUCKET, folder, state.exportId, state.chunks, () => {
    if (Date.now() >= lease.leaseUntil) throw new Error("the export step outlived its lease: its chunks are not written");
  });
  // Saves where this step stopped, if it still holds the lease (one statement).
  const save = async (done: Partial<Progress>) => {
    const [saved] = await count(
      db
        .update(backupProgress)
        .set({
          phase: state.phase,
          tables: state.tables,
          tableIndex: state.tableIndex,
          after: state.after,
          pageRows: state.pageRows,
          rows: state.rows,
          hashState: state.hashState,
          sums: state.sums,
          chunks: chunks.count,
          leaseId: null,
          leaseUntil: 0,
          updatedAt: Date.now(),
          ...done,
        })
        .where(and(eq(backupProgress.day, state.day), eq(backupProgress.leaseId, leaseId)))
        .returning({ day: backupProgress.day }),
    );
    if (!saved) throw new Error("the export step lost its lease: another step went on meanwhile");
  };

  let exported = 0;
  try {
    while (state.phase === "tables") {
      if (state.tableIndex === state.tables.length) {
        state.tables = orderTables(state.tables as DescribedTable[]);
        state.phase = "rows";
        state.tableIndex = 0;
        await chunks.add(
          `-- Plaza D1 export ${state.day} (${state.exportId}), schema after ${state.migrations.at(-1) ?? "no migration"}\n`,
        );
      } else if (room(2)) {
        state.tables[state.tableIndex] = await describeTable(read, (state.tables[state.tableIndex] as DescribedTable).name);
        state.tableIndex++;
      } else break;
    }
    if (state.phase === "rows") {
      let hash = new Sha256(state.hashState ?? undefined);
      while (state.tableIndex < state.tables.length && room(1)) {
        const table = state.tables[state.tableIndex] as TableShape;
        const { rows, next } = await readPage(read, table, { after: state.after, limit: state.pageRows });
        hash.update(encoder.encode(checksumText(rows)));
        state.rows += rows.length;
        exported += rows.length;
        for (const statement of insertStatements(table, rows)) await chunks.add(statement);
        if (next) {
          state.after = next.after;
          state.pageRows = next.limit;
        } else {
          state.sums = [...state.sums, { rows: state.rows, sha256: hash.hex() }];
          state.tableIndex++;
          state.after = FIRST_PAGE.after;
          state.pageRows = FIRST_PAGE.limit;
          state.rows = 0;
          hash = new Sha256();
        }
      }
      state.hashState = hash.save();
    }
    await chunks.flush();

    if (state.phase === "rows" && state.tableIndex === state.tables.length) {
      const manifest: Manifest = {
        format: FORMAT,
        createdAt: state.startedAt,
        day: state.day,
        exportId: state.exportId,
        migrations: state.migrations,
        checksum: CHECKSUM_DEFINITION,
        tables: state.tables.map(({ name, columns, key }, i) => ({ name, columns, key, ...(state.sums[i] as TableSum) })),
        chunks: Array.from({ length: chunks.count }, (_, i) => chunkName(state.exportId, i + 1)),
      };
      await env.BUCKET.put(`${folder}${MANIFEST}`, JSON.stringify(manifest, null, 2), {
        httpMetadata: { contentType: "application/json" },
      });
      // The day's earlier export (a Run now's, or one given up) is now superseded.
      const kept = new Set([MANIFEST, ...manifest.chunks]);
      await deleteUnder(env.BUCKET, folder, (key) => !kept.has(key.slice(folder.length)));
      await save({ finishedAt: Date.now(), hashState: null });
      await deleteExpiredDays({ env, now });
      await count(db.delete(backupProgress).where(lt(backupProgress.day, oldestKeptDay({ env, now }))));
      return { outcome: "finished", day: state.day, rows: exported, queries: spent, manifest };
    }
    await save({});
    return { outcome: "continued", day: state.day, rows: exported, queries: spent };
  } catch (err) {
    // The next step goes on from the last saved position at once, not after the lease.
    await count(
      db
        .update(backupProgress)
        .set({ leaseId: null, leaseUntil: 0 })
        .where(and(eq(backupProgress.day, state.day), eq(backupProgress.leaseId, leaseId))),
    ).then(
      () => {},
      () => {},
    );
    throw err;
  }
}

/** d1_migrations' names in order (one statement). */
const migrationNames = async (read: Reader) =>
  (await read("SELECT name FROM d1_migrations ORDER BY id LIMIT 10000", [])).map((m) => String(m.name));

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
/** The oldest day the retention window keeps (today counts as one of its days). */
const oldestKeptDay = ({ env, now }: Pick<JobContext, "env" | "now">) =>
  utcDay(now - (retentionDays(env.BACKUP_RETENTION_DAYS) - 1) * DAY_MS);

export async function deleteExpiredDays({ env, now }: Pick<JobContext, "env" | "now">) {
  const oldestKept = oldestKeptDay({ env, now });
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
