import { getTableColumns, getTableName, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";

/**
 * Many rows through one bound parameter: `SELECT json_extract(value, '$.key') AS name, … FROM
 * json_each(?)`. D1 allows 100 bound parameters per statement and runs a batch's statements one
 * by one, so a hundred rows written this way are one statement, not a hundred (or twelve
 * multi-row inserts). Values go through each column's own mapping (JSON, booleans) first; a
 * missing value is NULL.
 */
export function jsonRows<C extends Record<string, SQLiteColumn>>(db: Db, columns: C, rows: readonly { [K in keyof C]?: unknown }[]) {
  const entries = Object.entries(columns);
  const mapped = rows.map((row) =>
    Object.fromEntries(entries.map(([key, column]) => [key, row[key] == null ? null : column.mapToDriverValue(row[key])])),
  );
  const fields = Object.fromEntries(entries.map(([key, column]) => [key, sql`json_extract(value, ${`$.${key}`})`.as(column.name)])) as {
    [K in keyof C]: ReturnType<ReturnType<typeof sql>["as"]>;
  };
  return db.select(fields).from(sql`json_each(${JSON.stringify(mapped)})`);
}

/**
 * The rows as a subquery named `alias` (for `UPDATE … FROM`), and each of its columns written
 * `"alias"."name"`: drizzle would write a bare name, ambiguous beside the table's own.
 */
export function jsonRowsAs<C extends Record<string, SQLiteColumn>>(
  db: Db,
  columns: C,
  rows: readonly { [K in keyof C]?: unknown }[],
  alias: string,
) {
  const field = Object.fromEntries(
    Object.entries(columns).map(([key, column]) => [key, sql`${sql.identifier(alias)}.${sql.identifier(column.name)}`]),
  ) as { [K in keyof C]: SQL };
  return { from: jsonRows(db, columns, rows).as(alias), field };
}

/** `INSERT INTO table SELECT … FROM json_each(?) ON CONFLICT DO NOTHING`: every row in one statement. */
export function insertRowsIgnoringConflicts<T extends SQLiteTable>(db: Db, table: T, rows: readonly T["$inferInsert"][]) {
  // Without a WHERE, SQLite would read the ON CONFLICT as part of the SELECT's FROM clause.
  const select = jsonRows(db, getTableColumns(table), rows as Record<string, unknown>[]).where(sql`true`);
  return db
    .insert(table)
    .select(select as never)
    .onConflictDoNothing();
}

/** `"table"."column"`: drizzle writes a bare column name inside UPDATE, which `UPDATE … FROM` makes ambiguous. */
export const qualified = (column: SQLiteColumn) => sql`${sql.identifier(getTableName(column.table))}.${sql.identifier(column.name)}`;
