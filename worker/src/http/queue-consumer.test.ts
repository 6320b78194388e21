import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  type ConsumerPolicy,
  consumeEach,
  failAll,
  MAX_QUEUE_DELAY_SECONDS,
  type RetryPolicy,
  retryDelaySeconds,
  type Verdict,
} from "./queue-consumer";

const EXPONENTIAL: RetryPolicy = { baseSeconds: 5, maxSeconds: 600, jitter: 0.2 };
const SCHEDULE: RetryPolicy = { scheduleSeconds: [1, 5, 60, 3600], jitter: 0.2 };
const lowest = () => 0;
const highest = () => 1 - Number.EPSILON;

describe("the retry policy", () => {
  it("exponential: the base delay after the first failure, doubling up to the cap, then staying there", () => {
    const delays = Array.from({ length: 12 }, (_, i) => retryDelaySeconds(EXPONENTIAL, i + 1, { random: lowest }));
    expect(delays).toEqual([5, 10, 20, 40, 80, 160, 320, 600, 600, 600, 600, 600]);
    expect(retryDelaySeconds(EXPONENTIAL, 10_000, { random: lowest })).toBe(600);
    // An attempt count below 1 (or not whole) counts as the first.
    expect(retryDelaySeconds(EXPONENTIAL, 0, { random: lowest })).toBe(5);
    expect(retryDelaySeconds(EXPONENTIAL, 2.7, { random: lowest })).toBe(10);
  });

  it("a schedule: one delay per failed attempt, the last one repeating", () => {
    const delays = Array.from({ length: 6 }, (_, i) => retryDelaySeconds(SCHEDULE, i + 1, { random: lowest }));
    expect(delays).toEqual([1, 5, 60, 3600, 3600, 3600]);
  });

  it("jitter adds at most its share of the delay, never takes any away, and spreads delays out", () => {
    for (const [policy, attempt, backoff] of [
      [EXPONENTIAL, 1, 5],
      [EXPONENTIAL, 4, 40],
      [EXPONENTIAL, 30, 600],
      [SCHEDULE, 3, 60],
      [SCHEDULE, 9, 3600],
    ] as const) {
      const top = backoff + Math.floor(backoff * policy.jitter - 1e-9);
      expect(retryDelaySeconds(policy, attempt, { random: highest })).toBe(top);
      const seen = new Set<number>();
      for (let i = 0; i < 500; i++) {
        const delay = retryDelaySeconds(policy, attempt);
        expect(delay).toBeGreaterThanOrEqual(backoff);
        expect(delay).toBeLessThanOrEqual(top);
        expect(Number.isInteger(delay)).toBe(true);
        seen.add(delay);
      }
      // 500 draws over 12 or more values: all alike has odds below 1e-500.
      if (top - backoff >= 11) expect(seen.size).toBeGreaterThan(1);
    }
    // Under 5 s, a fifth of the delay is less than a second: those stay exact.
    expect(retryDelaySeconds(SCHEDULE, 1, { random: highest })).toBe(1);
    expect(retryDelaySeconds(SCHEDULE, 2, { random: highest })).toBe(5);
  });

  it("a longer wait the other side asked for wins; nothing exceeds what Queues allow (12 h)", () => {
    expect(retryDelaySeconds(SCHEDULE, 1, { random: lowest, atLeastSeconds: 120 })).toBe(120);
    expect(retryDelaySeconds(SCHEDULE, 4, { random: lowest, atLeastSeconds: 30 })).toBe(3600);
    expect(retryDelaySeconds(SCHEDULE, 1, { atLeastSeconds: 10 ** 9 })).toBe(MAX_QUEUE_DELAY_SECONDS);
    const huge: RetryPolicy = { baseSeconds: 3600, maxSeconds: 10 ** 7, jitter: 0.5 };
    expect(retryDelaySeconds(huge, 30, { random: highest })).toBe(MAX_QUEUE_DELAY_SECONDS);
  });
});

class Refused extends Error {}
class Waiting extends Error {}

const POLICY: ConsumerPolicy<{ n: number }> = {
  queue: "plaza-test",
  retry: { baseSeconds: 10, maxSeconds: 100, jitter: 0 },
  permanent: (err) => err instanceof Refused,
  expected: (err) => err instanceof Waiting,
  about: (body) => ({ n: body.n }),
};

/** A batch of messages `m1`, `m2`… with the given attempt counts, and the delay each retry asked for. */
function batchOf(attempts: number[]) {
  const batch = createMessageBatch<{ n: number }>(
    "plaza-test",
    attempts.map((attempt, i) => ({ id: `m${i + 1}`, timestamp: new Date(), attempts: attempt, body: { n: i + 1 } })),
  );
  const delays = new Map<string, number | undefined>();
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    message.retry = (options?: QueueRetryOptions) => {
      delays.set(message.id, options?.delaySeconds);
      retry(options);
    };
  }
  return { batch, delays, result: () => getQueueResult(batch, createExecutionContext()) };
}

function logLines() {
  const lines: Record<string, unknown>[] = [];
  for (const level of ["log", "warn", "error"] as const) {
    vi.spyOn(console, level).mockImplementation((line: string) => void lines.push({ console: level, ...JSON.parse(line) }));
  }
  return lines;
}

describe("consuming a batch", () => {
  afterEach(() => vi.restoreAllMocks());

  it("acks what succeeded, retries what failed by its own attempt count, gives up at once on permanent errors", async () => {
    const lines = logLines();
    const { batch, delays, result } = batchOf([1, 3, 1, 2]);
    const recorded: [number, Verdict][] = [];
    await consumeEach(
      batch,
      POLICY,
      async ({ n }) => {
        if (n === 2) throw new Error("flaky");
        if (n === 3) throw new Refused("no");
        if (n === 4) throw new Waiting("not yet");
      },
      async (body, _err, verdict) => void recorded.push([body.n, verdict]),
    );
    const { explicitAcks, retryMessages } = await result();
    expect(explicitAcks.sort()).toEqual(["m1", "m3"]);
    expect(retryMessages.map((m) => m.msgId).sort()).toEqual(["m2", "m4"]);
    expect(Object.fromEntries(delays)).toEqual({ m2: 40, m4: 20 });
    expect(recorded).toEqual([
      [2, { permanent: false, delaySeconds: 40 }],
      [3, { permanent: true }],
      [4, { permanent: false, delaySeconds: 20 }],
    ]);
    expect(lines).toEqual([
      expect.objectContaining({
        console: "warn",
        msg: "queue message failed; retrying",
        queue: "plaza-test",
        messageId: "m2",
        attempt: 3,
        n: 2,
        delaySeconds: 40,
        error: "Error: flaky",
      }),
      expect.objectContaining({ console: "error", msg: "queue message failed for good", messageId: "m3", attempt: 1, n: 3 }),
      expect.objectContaining({ console: "log", level: "info", msg: "queue message failed; retrying", messageId: "m4" }),
    ]);
  });

  it("a permanent failure that could not be recorded is retried, not dropped", async () => {
    const lines = logLines();
    const { batch, delays, result } = batchOf([1]);
    await consumeEach(
      batch,
      POLICY,
      async () => {
        throw new Refused("no");
      },
      async () => {
        throw new Error("D1 is down");
      },
    );
    expect((await result()).retryMessages.map((m) => m.msgId)).toEqual(["m1"]);
    expect(delays.get("m1")).toBe(10);
    expect(lines.map((l) => l.msg)).toEqual(["queue message failure not recorded", "queue message failed; retrying"]);
  });

  it("a shared failure (a batch read) retries every message by its own attempt count, or gives it up if permanent", async () => {
    logLines();
    const retried = batchOf([1, 2, 5]);
    await failAll(POLICY, retried.batch.messages, new Error("D1 is down"));
    expect((await retried.result()).retryMessages.map((m) => m.msgId).sort()).toEqual(["m1", "m2", "m3"]);
    expect(Object.fromEntries(retried.delays)).toEqual({ m1: 10, m2: 20, m3: 100 });

    const refused = batchOf([1, 1]);
    await failAll(POLICY, refused.batch.messages, new Refused("no"));
    expect((await refused.result()).explicitAcks.sort()).toEqual(["m1", "m2"]);
  });
});
