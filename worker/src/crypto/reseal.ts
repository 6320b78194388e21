import { and, eq, getTableColumns, isNull, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Job } from "../module";
import { currentKeyId, open, seal, sealedKeyId } from "./secret-box";

/**
 * What the reseal jobs share (connect/reseal.ts, mail/reseal.ts, webhooks/reseal.ts and the
 * license reveals' in licenses/jobs.ts): find values sealed under another key than the current
 * one, seal them again, and write them back only if the row still holds what was read.
 */

/**
 * Rows whose `column` was sealed under another key than `current`; NULL never matches. Compared
 * exactly, not with LIKE (case-insensitive, and `_` is a wildcard that key ids may contain).
 */
export const sealedUnderOtherKey = (column: SQLiteColumn, current: string): SQL =>
  sql`substr(${column}, 1, ${current.length + 1}) <> ${`${current}:`}`;

/** `sealed` opened and sealed again under the current key; a value already under it (or null) is kept. */
export async function resealed(keys: string | undefined, current: string, sealed: string): Promise<string>;
export async function resealed(keys: string | undefined, current: string, sealed: string | null): Promise<string | null>;
export async function resealed(keys: string | undefined, current: string, sealed: string | null): Promise<string | null> {
  if (sealed === null || sealedKeyId(sealed) === current) return sealed;
  return seal(keys, await open(keys, sealed));
}

/** A reseal's update guard: `column` still holds the value that was read (NULL included). */
export const stillHolds = (column: SQLiteColumn, read: string | null): SQL => (read === null ? isNull(column) : eq(column, read));

/**
 * The whole job for a table with one sealed, non-null column (`sealed`), rows named by `key`: a
 * batch of rows still sealed under another key, each sealed again under the current one and
 * written back only if it still holds what was read. Answers how many it read.
 */
export function resealColumnJob<T extends SQLiteTable>(
  table: T,
  key: keyof T["$inferSelect"] & string,
  sealed: keyof T["$inferSelect"] & string,
): Job {
  const columns = getTableColumns(table);
  const [keyColumn, sealedColumn] = [columns[key]!, columns[sealed]!];
  return async ({ db, env, batchSize }) => {
    const current = await currentKeyId(env.ENCRYPTION_KEYS);
    const stale = await db
      .select({ key: keyColumn, sealed: sealedColumn })
      .from(table as SQLiteTable)
      .where(sealedUnderOtherKey(sealedColumn, current))
      .limit(batchSize);
    for (const row of stale) {
      await db
        .update(table)
        .set({ [sealed]: await resealed(env.ENCRYPTION_KEYS, current, row.sealed as string) } as never)
        .where(and(eq(keyColumn, row.key), stillHolds(sealedColumn, row.sealed as string)));
    }
    return stale.length;
  };
}
