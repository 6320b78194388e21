/**
 * Newest-first pages keyed on (created_at, id). A cursor names the last row of a page; the next
 * page is the rows strictly after it in that order. Ties on created_at are broken by id, so rows
 * written in the same millisecond are neither skipped nor repeated, and rows added meanwhile do
 * not shift the pages.
 */
import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { AppError } from "../http/errors";

export interface KeysetPosition {
  createdAt: number;
  id: string;
}

interface KeysetColumns {
  createdAt: SQLiteColumn;
  id: SQLiteColumn;
}

export function encodeCursor(position: KeysetPosition): string {
  return btoa(`${position.createdAt}:${position.id}`);
}

/**
 * A time that is a safe integer and a row id as Plaza makes them: a client can forge any cursor,
 * and both parts are bound into SQL, where a time past 2^53 (or Infinity) fails the statement.
 */
const POSITION = /^(\d{1,16}):([a-z]+_[A-Za-z0-9]{1,64})$/;

export function decodeCursor(cursor: string): KeysetPosition {
  let match: RegExpExecArray | null = null;
  try {
    match = POSITION.exec(atob(cursor));
  } catch {
    // Not base64: refused below like any other cursor this API did not make.
  }
  const createdAt = Number(match?.[1]);
  if (!match || !Number.isSafeInteger(createdAt))
    throw new AppError("invalid_request", "The cursor is not valid", { fields: { "query.cursor": ["is not valid"] } });
  return { createdAt, id: match[2]! };
}

/** The rows after `cursor`'s position (none given: no condition). A cursor that does not decode is a 400 naming `query.cursor`. */
export function afterCursor(columns: KeysetColumns, cursor: string | undefined): SQL | undefined {
  if (!cursor) return undefined;
  const at = decodeCursor(cursor);
  return or(lt(columns.createdAt, at.createdAt), and(eq(columns.createdAt, at.createdAt), lt(columns.id, at.id)));
}

export const newestFirst = (columns: KeysetColumns) => [desc(columns.createdAt), desc(columns.id)] as const;

/** Of `rows` (read with `limit + 1`), the page and the cursor to the next one, if there is one. */
export function pageOf<T>(rows: T[], limit: number, positionOf: (row: T) => KeysetPosition) {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { page, nextCursor: rows.length > limit && last ? encodeCursor(positionOf(last)) : null };
}
