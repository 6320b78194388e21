import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { counter, LONGEST_WINDOW_MS, takeHits } from "./rate-limit";
import { FORGET_AFTER_MS } from "./rate-limit-counter";

let keys = 0;
const fresh = (limit: number, windowMs = 60_000) => counter(`test:${++keys}`, { limit, windowMs });
/** The start of a minute, so the windows of the tests are known exactly. */
const T = Math.floor(Date.now() / 60_000) * 60_000;
const countOf = async (key: string) => (await env.RATE_LIMITS.getByName(key).peek())?.count ?? 0;

describe("takeHits", () => {
  it("lets exactly the limit through a concurrent burst, and a new window starts from nothing", async () => {
    const c = fresh(7);
    const burst = await Promise.all(Array.from({ length: 20 }, () => takeHits(env, [c], T + 1000)));
    expect(burst.filter((t) => t.taken === 1)).toHaveLength(7);
    expect(burst.filter((t) => t.taken === 0).map((t) => t.retryAfterSeconds)).toEqual(Array(13).fill(59));
    expect(await countOf(c.key)).toBe(7);
    expect((await takeHits(env, [c], T + 60_000)).taken).toBe(1);
  });

  it("takes as many of several hits as there is room for, and counts only those", async () => {
    const c = fresh(5);
    expect((await takeHits(env, [c], T, 3)).taken).toBe(3);
    expect((await takeHits(env, [c], T, 3)).taken).toBe(2);
    expect((await takeHits(env, [c], T, 3)).taken).toBe(0);
    expect(await countOf(c.key)).toBe(5);
  });

  it("with several counters, takes a hit on all of them or on none", async () => {
    const [full, open] = [fresh(1), fresh(10)];
    await takeHits(env, [full], T);
    expect((await takeHits(env, [open, full], T)).taken).toBe(0);
    expect([await countOf(full.key), await countOf(open.key)]).toEqual([1, 0]);
    expect((await takeHits(env, [open, fresh(1)], T)).taken).toBe(1);
    expect(await countOf(open.key)).toBe(1);
  });

  it("with several counters in a concurrent burst, lets exactly the shared key's limit through and leaves no refused hit counted", async () => {
    const shared = fresh(5);
    const own = Array.from({ length: 20 }, () => fresh(10));
    const burst = await Promise.all(own.map((c) => takeHits(env, [c, shared], T)));
    expect(burst.filter((t) => t.taken === 1)).toHaveLength(5);
    expect(await countOf(shared.key)).toBe(5);
    const ownCounts = await Promise.all(own.map((c) => countOf(c.key)));
    expect(ownCounts.filter((n) => n === 1)).toHaveLength(5);
    expect(ownCounts.filter((n) => n === 0)).toHaveLength(15);
  });

  it("never goes back to a window that ended: a caller whose clock lags counts in the current one", async () => {
    const c = fresh(2);
    expect((await takeHits(env, [c], T + 60_000)).taken).toBe(1);
    expect((await takeHits(env, [c], T + 59_000)).taken).toBe(1);
    expect((await takeHits(env, [c], T + 59_000)).taken).toBe(0);
  });
});

describe("windows", () => {
  it("are at most LONGEST_WINDOW_MS, so no counter's storage lives longer", async () => {
    await expect(takeHits(env, [fresh(1, LONGEST_WINDOW_MS + 1)], T)).rejects.toThrow(/at most/);
    expect((await takeHits(env, [fresh(1, LONGEST_WINDOW_MS)], T)).taken).toBe(1);
  });

  it("are forgotten by their counter's alarm once ended (no purge job), and kept while they run", async () => {
    const ended = fresh(5);
    await takeHits(env, [ended], Date.now() - 60_000 - FORGET_AFTER_MS - 1000);
    expect(await countOf(ended.key)).toBe(1);
    expect(await runDurableObjectAlarm(env.RATE_LIMITS.getByName(ended.key))).toBe(true);
    expect(await env.RATE_LIMITS.getByName(ended.key).peek()).toBeNull();

    const running = fresh(5);
    await takeHits(env, [running], T);
    expect(await runDurableObjectAlarm(env.RATE_LIMITS.getByName(running.key))).toBe(true);
    expect(await countOf(running.key)).toBe(1);
    // It set itself again for the window's end.
    expect(await runDurableObjectAlarm(env.RATE_LIMITS.getByName(running.key))).toBe(true);
  });

  it("a refused request writes nothing: a counter that never let a hit through has no storage", async () => {
    const none = fresh(0);
    expect((await takeHits(env, [none], T)).taken).toBe(0);
    expect(await env.RATE_LIMITS.getByName(none.key).peek()).toBeNull();
  });
});
