import { eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { rateLimits } from "../db/schema";
import { AppError } from "./errors";

/**
 * Fixed-window counters in D1. Unlike the Rate Limiting binding they are exact, shared by every
 * isolate and work the same under `wrangler dev` and in tests; login throttling needs exactly that.
 */
export interface Window {
  limit: number;
  windowMs: number;
}

function windowStart(now: number, windowMs: number) {
  return now - (now % windowMs);
}

/** Throws 429 with Retry-After when `key` has reached its limit in the current window. */
export async function assertUnderLimit(db: Db, key: string, { limit, windowMs }: Window, now = Date.now()) {
  const row = await db.query.rateLimits.findFirst({ where: eq(rateLimits.key, key) });
  const start = windowStart(now, windowMs);
  if (row && row.windowStart === start && row.count >= limit) {
    const retryAfter = Math.max(1, Math.ceil((start + windowMs - now) / 1000));
    throw new AppError("rate_limited", "Too many attempts; try again later", {
      headers: { "retry-after": String(retryAfter) },
    });
  }
}

/** The upsert that counts one hit in the current window (resetting a stale window). */
export function countHit(db: Db, key: string, { windowMs }: Window, now = Date.now()) {
  const start = windowStart(now, windowMs);
  return db
    .insert(rateLimits)
    .values({ key, windowStart: start, count: 1 })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`CASE WHEN ${rateLimits.windowStart} = ${start} THEN ${rateLimits.count} + 1 ELSE 1 END`,
        windowStart: start,
      },
    });
}

export function clearHits(db: Db, key: string) {
  return db.delete(rateLimits).where(eq(rateLimits.key, key));
}
