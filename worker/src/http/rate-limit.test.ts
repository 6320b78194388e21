import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../db/client";
import { counter, LONGEST_WINDOW_MS, takeHits } from "./rate-limit";

const db = createDb(env.DB);
let keys = 0;
const fresh = (limit: number, windowMs = 60_000) => counter(`test:${++keys}`, { limit, windowMs });
/** The start of a minute, so the windows of the tests are known exactly. */
const T = Math.floor(Date.now() / 60_000) * 60_000;
const countOf = async (key: string) =>
  (await env.DB.prepare("SELECT count FROM rate_limits WHERE key = ?").bind(key).first<number>("count")) ?? 0;

describe("takeHits", () => {
  it("lets exactly the limit through a concurrent burst, and a new window starts from nothing", async () => {
    const c = fresh(7);
    const burst = await Promise.all(Array.from({ length: 20 }, () => takeHits(db, [c], T + 1000)));
    expect(burst.filter((t) => t.taken === 1)).toHaveLength(7);
    expect(burst.filter((t) => t.taken === 0).map((t) => t.retryAfterSeconds)).toEqual(Array(13).fill(59));
    expect(await countOf(c.key)).toBe(7);
    expect((await takeHits(db, [c], T + 60_000)).taken).toBe(1);
  });

  it("takes as many of several hits as there is room for, and counts only those", async () => {
    const c = fresh(5);
    expect((await takeHits(db, [c], T, 3)).taken).toBe(3);
    expect((await takeHits(db, [c], T, 3)).taken).toBe(2);
    expect((await takeHits(db, [c], T, 3)).taken).toBe(0);
    expect(await countOf(c.key)).toBe(5);
  });

  it("with several counters, takes a hit on all of them or on none", async () => {
    const [full, open] = [fresh(1), fresh(10)];
    await takeHits(db, [full], T);
    expect((await takeHits(db, [open, full], T)).taken).toBe(0);
    expect([await countOf(full.key), await countOf(open.key)]).toEqual([1, 0]);
    expect((await takeHits(db, [open, fresh(1)], T)).taken).toBe(1);
    expect(await countOf(open.key)).toBe(1);
  });
});

describe("windows", () => {
  it("are at most LONGEST_WINDOW_MS, which the purge of ended windows relies on", async () => {
    await expect(takeHits(db, [fresh(1, LONGEST_WINDOW_MS + 1)], T)).rejects.toThrow(/at most/);
    expect((await takeHits(db, [fresh(1, LONGEST_WINDOW_MS)], T)).taken).toBe(1);
  });
});
