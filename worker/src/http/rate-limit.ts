import { and, eq, getTableColumns, inArray, lte, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { jsonRows, qualified } from "../db/json-rows";
import { AppError } from "./errors";
import { rateLimits } from "./rate-limit-table";

/**
 * Fixed-window counters in D1. Unlike the Rate Limiting binding they are exact, shared by every
 * isolate and work the same under `wrangler dev` and in tests; login throttling needs exactly that.
 * Every limiter goes through `takeHits`: the counting and the answer it decides on are one D1
 * batch, which D1 runs as one transaction, one at a time, so a burst lets exactly `limit` through.
 */
export interface Window {
  limit: number;
  windowMs: number;
}

/** One key's counter, under its window. */
export interface Counter extends Window {
  key: string;
}

export const counter = (key: string, window: Window): Counter => ({ key, ...window });

/**
 * No window is longer: a row whose window began this long ago has ended, whatever its length
 * (which rows do not store), so `purgeEndedWindows` may drop it.
 */
export const LONGEST_WINDOW_MS = 60 * 60_000;

export function windowStart(now: number, windowMs: number) {
  return now - (now % windowMs);
}

export interface Taken {
  /** How many of the hits asked for were taken: every one, some (a single counter), or none. */
  taken: number;
  /** Seconds until the window of a counter that refused ends. */
  retryAfterSeconds: number;
}

/**
 * Takes `hits` on every counter and answers how many every counter had room for. What was not
 * taken is given back in the same batch, so nothing refused is counted: a request refused by one
 * key spends none of another key's room. Several counters take one hit each: all or none.
 */
export async function takeHits(db: Db, counters: readonly Counter[], now = Date.now(), hits = 1): Promise<Taken> {
  if (counters.length > 1 && hits !== 1) throw new Error("several counters take one hit at a time");
  if (counters.some((c) => c.windowMs > LONGEST_WINDOW_MS))
    throw new Error(`a window is at most ${LONGEST_WINDOW_MS} ms; the purge would end it early`);
  const keys = counters.map((c) => c.key);
  const rows = counters.map((c) => ({ key: c.key, windowStart: windowStart(now, c.windowMs), count: hits }));
  // Without a WHERE, SQLite would read the ON CONFLICT as part of the SELECT's FROM clause.
  const count = db
    .insert(rateLimits)
    .select(jsonRows(db, getTableColumns(rateLimits), rows).where(sql`true`) as never)
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`CASE WHEN ${rateLimits.windowStart} = excluded.window_start THEN ${rateLimits.count} + excluded.count ELSE excluded.count END`,
        windowStart: sql`excluded.window_start`,
      },
    })
    .returning({ key: rateLimits.key, count: rateLimits.count });
  const limits = JSON.stringify(counters.map((c) => ({ key: c.key, limit: c.limit })));
  const ownLimit = sql`(SELECT json_extract(l.value, '$.limit') FROM json_each(${limits}) l WHERE json_extract(l.value, '$.key') = ${qualified(rateLimits.key)})`;
  const anyOver = sql`EXISTS (SELECT 1 FROM json_each(${limits}) l JOIN ${rateLimits} o ON o.key = json_extract(l.value, '$.key') WHERE o.count > json_extract(l.value, '$.limit'))`;
  // Rows still under their limit are the only ones this changes, so what `anyOver` reads stays put.
  const giveBackWhenAnotherIsFull = db
    .update(rateLimits)
    .set({ count: sql`${qualified(rateLimits.count)} - ${hits}` })
    .where(and(inArray(rateLimits.key, keys), sql`${qualified(rateLimits.count)} <= ${ownLimit}`, anyOver));
  const giveBackOverLimit = db
    .update(rateLimits)
    .set({ count: ownLimit })
    .where(and(inArray(rateLimits.key, keys), sql`${qualified(rateLimits.count)} > ${ownLimit}`));
  const [counted] = await db.batch([count, giveBackWhenAnotherIsFull, giveBackOverLimit]);

  const after = new Map(counted.map((r) => [r.key, r.count]));
  let taken = hits;
  let waitMs = 0;
  for (const c of counters) {
    const room = Math.max(0, Math.min(hits, c.limit + hits - after.get(c.key)!));
    if (room < hits) waitMs = Math.max(waitMs, windowStart(now, c.windowMs) + c.windowMs - now);
    taken = Math.min(taken, room);
  }
  return { taken, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
}

/** Takes one hit on every counter, or throws 429 `rate_limited` with Retry-After (taking none) when one is full. */
export async function takeHit(db: Db, counters: readonly Counter[], now = Date.now()) {
  const { taken, retryAfterSeconds } = await takeHits(db, counters, now);
  if (taken === 0) {
    throw new AppError("rate_limited", "Too many attempts; try again later", { headers: { "retry-after": String(retryAfterSeconds) } });
  }
}

/** Gives back a hit taken at `now` that should not count (a login that succeeded); nothing once its window has ended. */
export function giveBackHit(db: Db, { key, windowMs }: Counter, now: number) {
  return db
    .update(rateLimits)
    .set({ count: sql`max(${rateLimits.count} - 1, 0)` })
    .where(and(eq(rateLimits.key, key), eq(rateLimits.windowStart, windowStart(now, windowMs))));
}

export function clearHits(db: Db, key: string) {
  return db.delete(rateLimits).where(eq(rateLimits.key, key));
}

/** Deletes up to `limit` counters whose window has ended (begun `LONGEST_WINDOW_MS` ago); answers how many. */
export async function purgeEndedWindows(db: Db, now: number, limit: number) {
  const ended = db
    .select({ key: rateLimits.key })
    .from(rateLimits)
    .where(lte(rateLimits.windowStart, now - LONGEST_WINDOW_MS))
    .limit(limit);
  const deleted = await db.delete(rateLimits).where(inArray(rateLimits.key, ended)).returning({ key: rateLimits.key });
  return deleted.length;
}
