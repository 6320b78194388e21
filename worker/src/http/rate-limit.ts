import type { Env } from "../env";
import { AppError } from "./errors";

/**
 * Fixed-window counters, one Durable Object per key (`RateLimitCounter` in rate-limit-counter.ts).
 * Unlike the Rate Limiting binding (`[[ratelimits]]`), whose counts are per Cloudflare location and
 * eventually consistent, so a burst spread over isolates and locations may get more than the limit
 * through, these are exact and shared by every isolate, and work the same under `wrangler dev` and
 * in tests: login throttling needs exactly that. A key's object counts its hits one request at a
 * time, so a burst lets exactly `limit` through, and no D1 write is spent on a counter.
 * Every limiter goes through `takeHits`.
 */
export interface Window {
  limit: number;
  windowMs: number;
}

/** One key's counter, under its window. */
export interface Counter extends Window {
  key: string;
}

/** What the counters need of the environment: their Durable Object namespace. */
export type RateLimitEnv = Pick<Env, "RATE_LIMITS">;

export const counter = (key: string, window: Window): Counter => ({ key, ...window });

/**
 * No window is longer: a counter's storage is deleted soon after its window ends, and rate limits
 * are about bursts, so none needs to outlive an hour.
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

const counterOf = (env: RateLimitEnv, key: string) => env.RATE_LIMITS.getByName(key);

/**
 * Takes `hits` on every counter and answers how many every counter had room for; nothing refused is
 * counted. Several counters take one hit each, all or none: each key's object takes its hit at the
 * same time, and when one refuses, the others give theirs back before this answers. Until then a
 * concurrent request may find one hit less room on those keys (and be refused); none ever lets
 * more than its limit through.
 */
export async function takeHits(env: RateLimitEnv, counters: readonly Counter[], now = Date.now(), hits = 1): Promise<Taken> {
  if (counters.length > 1 && hits !== 1) throw new Error("several counters take one hit at a time");
  if (counters.some((c) => c.windowMs > LONGEST_WINDOW_MS)) throw new Error(`a window is at most ${LONGEST_WINDOW_MS} ms`);
  const results = await Promise.all(counters.map((c) => counterOf(env, c.key).take(hits, c.limit, c.windowMs, now)));
  const taken = Math.min(hits, ...results.map((r) => r.taken));
  if (counters.length > 1 && taken === 0) {
    await Promise.all(results.flatMap((r, i) => (r.taken > 0 ? [counterOf(env, counters[i]!.key).giveBack(r.taken, r.start)] : [])));
  }
  const waitMs = Math.max(0, ...results.filter((r) => r.taken < hits).map((r) => r.end - now));
  return { taken, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
}

/** Takes one hit on every counter, or throws 429 `rate_limited` with Retry-After (taking none) when one is full. */
export async function takeHit(env: RateLimitEnv, counters: readonly Counter[], now = Date.now()) {
  const { taken, retryAfterSeconds } = await takeHits(env, counters, now);
  if (taken === 0) {
    throw new AppError("rate_limited", "Too many attempts; try again later", { headers: { "retry-after": String(retryAfterSeconds) } });
  }
}

/** Gives back a hit taken at `now` that should not count (a login that succeeded); nothing once its window has ended. */
export async function giveBackHit(env: RateLimitEnv, { key, windowMs }: Counter, now: number) {
  await counterOf(env, key).giveBack(1, windowStart(now, windowMs));
}

/** Forgets every hit on `key`. */
export async function clearHits(env: RateLimitEnv, key: string) {
  await counterOf(env, key).clear();
}
