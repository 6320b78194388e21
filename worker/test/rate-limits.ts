/**
 * Bursts against fixed-window limits without depending on the clock: a burst that began in one
 * window and ended in the next had part of it counted afresh, so it runs again with fresh keys.
 */
import { expect } from "vitest";
import { type CallResult, errorCode } from "./http";

/**
 * Runs `burst` (which makes fresh keys every time) until one starts and ends in the same window
 * of `windowMs`, and answers what it answered. A look at the clock before and after, never a wait.
 */
export async function inOneWindow<T>(windowMs: number, burst: () => Promise<T>): Promise<T> {
  for (let tries = 0; tries < 3; tries++) {
    const before = Math.floor(Date.now() / windowMs);
    const answered = await burst();
    if (Math.floor(Date.now() / windowMs) === before) return answered;
  }
  throw new Error(`three bursts in a row straddled a ${windowMs} ms window`);
}

/** How many answers had each status, e.g. `{ 200: 60, 429: 60 }`. */
export function statusCounts(answers: readonly { status: number }[]) {
  const counts: Record<number, number> = {};
  for (const { status } of answers) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

/** Every 429 among `answers` is `rate_limited` in the error envelope, with a Retry-After of 1 to `maxSeconds`. */
export function expectRateLimited(answers: readonly CallResult[], maxSeconds: number) {
  for (const refused of answers.filter((a) => a.status === 429)) {
    expect(errorCode(refused)).toBe("rate_limited");
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(maxSeconds);
  }
}
