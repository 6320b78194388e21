/**
 * How a backup reads D1, defined once for the export job (over D1), the restore command and the
 * backup test (both over node:sqlite, which load this file by Node's type stripping: hence no
 * imports but node:crypto, and only erasable TypeScript syntax). A table is read in pages in its primary key's order,
 * every column as its SQL literal (`quote()`): the literals are both the INSERT statements of the
 * export and the input of the table's checksum, so the checksum does not depend on a driver's types.
 */
import { createHash } from "node:crypto";

/** Runs one read-only statement; answers its rows as objects. */
export type Reader = (sql: string, params: readonly unknown[]) => Promise<Record<string, unknown>[]>;

/** A Reader over a D1 binding (the export's, and the tests' lagging replica's). */
export const d1Reader =
  (d1: D1Database): Reader =>
  async (sql, params) =>
    (
      await d1
        .prepare(sql)
        .bind(...params)
        .all<Record<string, unknown>>()
    ).results;

/** A table as a backup sees it: its insertable columns in declared order, and the key that orders its rows. */
export interface TableShape {
  name: string;
  columns: string[];
  /** The primary key's columns in key order; `rowid` for a table without one. */
  key: string[];
}

/** What the manifest records per table, and what a restore or a test computes again. */
export interface TableSum {
  rows: number;
  /** SHA-256 (hex) over one line per row in key order: its columns' `quote()` literals joined by ",", then "\n". */
  sha256: string;
}

export const CHECKSUM_DEFINITION =
  "sha256 (hex) over one line per row in primary-key order (rowid without one): each column's SQLite quote() literal, joined by ',', then '\\n'";

/**
 * A page's rows are chosen so its literals come to about PAGE_BYTES: the first page is small, each
 * next one sized by the last one's rows (an inline project snapshot is 512 KB of hex, a page view
 * 60 bytes), so memory and D1's result size stay bounded however wide a table's rows are.
 */
export const PAGE_BYTES = 1_000_000;
export const FIRST_PAGE_ROWS = 16;
export const MAX_PAGE_ROWS = 1000;

export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Tables no backup holds: SQLite's and D1's own, d1_migrations (the manifest lists the migrations; a
 * restore applies them), and backup_progress (the export's own position, changing while it is read).
 */
const SKIPPED = /^(sqlite_|_cf_|d1_migrations$|backup_progress$)/;

/** A table's shape and the tables its foreign keys refer to (what orderTables needs). */
export interface DescribedTable extends TableShape {
  parents: string[];
}

/** The names of the tables to back up (one statement), in name order; describe each with describeTable. */
export async function tableNames(read: Reader): Promise<string[]> {
  const listed = await read("PRAGMA table_list", []);
  return listed
    .filter((t) => t.schema === "main" && t.type === "table" && !SKIPPED.test(String(t.name)))
    .map((t) => String(t.name))
    .sort();
}

/** One table's insertable columns, key and parents (two statements). */
export async function describeTable(read: Reader, name: string): Promise<DescribedTable> {
  const columns = await read(`PRAGMA table_xinfo(${quoteIdent(name)})`, []);
  // hidden 0: an ordinary column; generated (2, 3) and virtual-table (1) columns cannot be inserted.
  const insertable = columns.filter((c) => Number(c.hidden) === 0);
  const key = insertable
    .filter((c) => Number(c.pk) > 0)
    .sort((a, b) => Number(a.pk) - Number(b.pk))
    .map((c) => String(c.name));
  const fks = await read(`PRAGMA foreign_key_list(${quoteIdent(name)})`, []);
  return {
    name,
    columns: insertable.map((c) => String(c.name)),
    key: key.length > 0 ? key : ["rowid"],
    parents: [...new Set(fks.map((fk) => String(fk.table)))].filter((parent) => parent !== name),
  };
}

/** Parents before children (by foreign key), so a restore inserts rows after the rows they refer to; otherwise in name order. */
export function orderTables(described: readonly DescribedTable[]): TableShape[] {
  const shapes = new Map(described.map((shape) => [shape.name, shape]));
  const names = described.map((shape) => shape.name).sort();
  // Depth-first: each table after its parents; a cycle is broken where it is met (the restore defers foreign keys).
  const ordered: TableShape[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string) => {
    const shape = shapes.get(name);
    if (!shape || state.has(name)) return;
    state.set(name, "visiting");
    for (const parent of shape.parents) visit(parent);
    state.set(name, "done");
    ordered.push({ name: shape.name, columns: shape.columns, key: shape.key });
  };
  for (const name of names) visit(name);
  return ordered;
}

/**
 * The tables to back up, parents before children (by foreign key), so a restore inserts rows after
 * the rows they refer to. Virtual tables (the FTS5 search index) and their shadow tables are left
 * out: the triggers that fill them run again when a restore inserts the rows they index.
 */
export async function listTables(read: Reader): Promise<TableShape[]> {
  const described: DescribedTable[] = [];
  for (const name of await tableNames(read)) described.push(await describeTable(read, name));
  return orderTables(described);
}

/** An extra condition on the rows read (tests leave out rows they expect to differ), with its parameters. */
export interface RowFilter {
  where: string;
  params: readonly unknown[];
}

/** One row of a page: its columns' SQL literals, in the table's column order. */
export type Literals = string[];

/** Where a table's next page starts: after the key `after` (null: at its first row), `limit` rows long. */
export interface PagePosition {
  after: unknown[] | null;
  limit: number;
}

export const FIRST_PAGE: PagePosition = { after: null, limit: FIRST_PAGE_ROWS };

/**
 * Reads the page of `table` at `position` (one statement, keyset on the key: at most `key.length` +
 * filter parameters) and where the page after it starts (null: this was the table's last). Each
 * page's length is sized by the one before it, so a table read in one go or page by page across
 * runs is read in the same pages.
 */
export async function readPage(
  read: Reader,
  table: TableShape,
  position: PagePosition,
  filter?: RowFilter,
): Promise<{ rows: Literals[]; next: PagePosition | null }> {
  const literals = table.columns.map((c, i) => `quote(${quoteIdent(c)}) AS c${i}`);
  const keys = table.key.map((k, i) => `${quoteIdent(k)} AS k${i}`);
  const keyTuple = `(${table.key.map(quoteIdent).join(", ")})`;
  const order = table.key.map(quoteIdent).join(", ");
  const { after, limit } = position;
  const conditions = [...(after ? [`${keyTuple} > (${after.map(() => "?").join(", ")})`] : []), ...(filter ? [`(${filter.where})`] : [])];
  const sql = `SELECT ${[...literals, ...keys].join(", ")} FROM ${quoteIdent(table.name)}${
    conditions.length > 0 ? ` WHERE ${conditions.join(" AND ")}` : ""
  } ORDER BY ${order} LIMIT ${limit}`;
  const found = await read(sql, [...(after ?? []), ...(filter?.params ?? [])]);
  const rows = found.map((row) => table.columns.map((_, i) => String(row[`c${i}`])));
  if (rows.length < limit) return { rows, next: null };
  const bytes = rows.reduce((sum, row) => row.reduce((n, literal) => n + literal.length + 1, sum), 0);
  const last = found[found.length - 1] as Record<string, unknown>;
  return {
    rows,
    next: {
      after: table.key.map((_, i) => last[`k${i}`]),
      limit: Math.max(1, Math.min(MAX_PAGE_ROWS, Math.floor(PAGE_BYTES / (bytes / rows.length)))),
    },
  };
}

/** Reads `table` page by page in key order (see readPage); no empty page. */
export async function* pagesOf(read: Reader, table: TableShape, filter?: RowFilter): AsyncGenerator<Literals[]> {
  let position: PagePosition | null = FIRST_PAGE;
  while (position) {
    const { rows, next }: { rows: Literals[]; next: PagePosition | null } = await readPage(read, table, position, filter);
    if (rows.length > 0) yield rows;
    position = next;
  }
}

/** What a table's checksum hashes for these rows (in key order): one line per row, as CHECKSUM_DEFINITION says. */
export const checksumText = (rows: readonly Literals[]) => rows.map((row) => `${row.join(",")}\n`).join("");

/** The running checksum of a table's rows, fed in key order. */
export function tableChecksum() {
  const hash = createHash("sha256");
  let rows = 0;
  return {
    add(row: Literals) {
      hash.update(checksumText([row]));
      rows++;
    },
    result(): TableSum {
      return { rows, sha256: hash.digest("hex") };
    },
  };
}

/** Every table's row count and checksum, read the way the export reads them. */
export async function checksumTables(read: Reader, tables: readonly TableShape[], filters: Record<string, RowFilter> = {}) {
  const sums: Record<string, TableSum> = {};
  for (const table of tables) {
    const sum = tableChecksum();
    for await (const page of pagesOf(read, table, filters[table.name])) for (const row of page) sum.add(row);
    sums[table.name] = sum.result();
  }
  return sums;
}
