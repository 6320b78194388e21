import { describe, expect, it } from "vitest";
import { runInFairSlots } from "./fair-slots";

/** A call that finishes only when the test says so. */
function held() {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return { done, release };
}

describe("runInFairSlots", () => {
  it("a group whose calls hang holds one slot while another group's items run through the others", async () => {
    const slow = Array.from({ length: 5 }, (_, i) => ({ group: "slow", n: i, ...held() }));
    const fast = Array.from({ length: 5 }, (_, i) => ({ group: "fast", n: i, ...held() }));
    const startedSlow: number[] = [];
    let slowRunningWhenFastWasDone: number | undefined;
    let fastDone = 0;
    const run = runInFairSlots(
      [...slow, ...fast],
      (item) => item.group,
      2,
      async (item) => {
        if (item.group === "slow") {
          startedSlow.push(item.n);
          await item.done;
        } else if (++fastDone === fast.length) {
          slowRunningWhenFastWasDone = startedSlow.length;
        }
        return `${item.group}${item.n}`;
      },
      () => true,
    );
    // Every fast item ran while the first slow call still hung (a plain pool would have put both slots on it).
    await expect.poll(() => fastDone).toBe(fast.length);
    expect(slowRunningWhenFastWasDone).toBe(1);
    for (const item of slow) item.release();
    const { results, unstarted } = await run;
    expect(results.sort()).toEqual(["fast0", "fast1", "fast2", "fast3", "fast4", "slow0", "slow1", "slow2", "slow3", "slow4"]);
    expect(unstarted).toEqual([]);
  });

  it("takes turns between groups with as many calls running", async () => {
    const order: string[] = [];
    const items = ["a1", "a2", "a3", "b1", "b2", "c1"];
    await runInFairSlots(
      items,
      (item) => item[0]!,
      1,
      async (item) => order.push(item),
      () => true,
    );
    expect(order).toEqual(["a1", "b1", "c1", "a2", "b2", "a3"]);
  });

  it("starts nothing once told to stop, and answers what it never started, untouched", async () => {
    let started = 0;
    const { results, unstarted } = await runInFairSlots(
      [1, 2, 3, 4, 5, 6, 7],
      (n) => String(n % 2),
      2,
      async (n) => {
        started++;
        return n;
      },
      () => started < 3,
    );
    expect(results).toHaveLength(3);
    expect([...results, ...unstarted].sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(started).toBe(3);
  });

  it("nothing to run, or no time at all: no call", async () => {
    expect(
      await runInFairSlots(
        [],
        String,
        6,
        async () => 1,
        () => true,
      ),
    ).toEqual({ results: [], unstarted: [] });
    expect(
      await runInFairSlots(
        [1, 2],
        String,
        6,
        async () => 1,
        () => false,
      ),
    ).toEqual({ results: [], unstarted: [1, 2] });
  });
});
