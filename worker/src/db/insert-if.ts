import { count, getTableColumns, type SQL, sql } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";

/**
 * `INSERT INTO table SELECT <row's values> WHERE condition`: a row written only if `condition`
 * holds when the statement runs — in a batch, after the statements before it. Guarded side
 * effects use it (an audit row for a change that may be refused, a receipt only for the license
 * that won). Values go through each column's own mapping (JSON, booleans); a missing value takes
 * the column's default, else NULL.
 */
export function insertIf<T extends SQLiteTable>(db: Db, table: T, row: T["$inferInsert"], condition: SQL) {
  const given = row as Record<string, unknown>;
  const values = Object.fromEntries(
    Object.entries(getTableColumns(table)).map(([key, column]) => {
      const value = given[key] ?? column.default ?? null;
      return [key, sql`${value === null ? null : column.mapToDriverValue(value)}`.as(column.name)];
    }),
  );
  // The select's columns are the table's, in its order: what INSERT … SELECT needs.
  return db.insert(table).select(db.select(values).from(sql`(SELECT 1)`).where(condition) as never);
}

/**
 * `(SELECT count(*) FROM table WHERE where) < cap`: the condition of an `insertIf` under a count
 * cap. Counted in the insert itself, so concurrent inserts cannot pass the cap together.
 */
export function countBelow(db: Db, table: SQLiteTable, where: SQL | undefined, cap: number | SQL) {
  return sql`(${db.select({ n: count() }).from(table).where(where)}) < ${cap}`;
}
