/**
 * What every queue consumer shares: each message is acked or retried on its own, a failure is
 * logged with the message id, and one retry policy decides when a failed message is tried again
 * or (a permanent failure) given up at once. Consumers keep only their domain logic and their
 * policy: the backoff, and which errors no retry can fix.
 */
import { truncateText } from "../../../shared/text";
import { type LogLevel, log } from "./log";

/** Cloudflare Queues delay a message at most 12 hours. */
export const MAX_QUEUE_DELAY_SECONDS = 43_200;

/**
 * When a failed message is tried again: exponential (the base delay after the first failure,
 * doubling up to the max) or a fixed schedule (one delay per failed attempt, the last repeating).
 * On top, up to `jitter` of the delay at random, so messages that failed together do not come back
 * together; the cap bounds the backoff, not the jitter, so messages at the cap still spread out.
 */
export type RetryPolicy = { jitter: number } & (
  | { baseSeconds: number; maxSeconds: number }
  | { scheduleSeconds: readonly [number, ...number[]] }
);

export interface RetryOptions {
  /** A wait the other side asked for (`Retry-After`): the delay is at least this. */
  atLeastSeconds?: number;
  /** A number in [0, 1); `Math.random` unless a test fixes it. */
  random?: () => number;
}

/** The delay after failed attempt `attempt` (1-based), in whole seconds. */
export function retryDelaySeconds(policy: RetryPolicy, attempt: number, options: RetryOptions = {}): number {
  const n = Math.max(1, Math.floor(attempt));
  const backoff =
    "scheduleSeconds" in policy
      ? policy.scheduleSeconds[Math.min(n, policy.scheduleSeconds.length) - 1]!
      : Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** (n - 1));
  const jittered = backoff + Math.floor((options.random ?? Math.random)() * backoff * policy.jitter);
  return Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(jittered, options.atLeastSeconds ?? 0));
}

/** One consumer's configuration. */
export interface ConsumerPolicy<Body> {
  /** The queue, for log lines. */
  queue: string;
  retry: RetryPolicy;
  /** An error no retry can fix: the message is acked at once instead of retried (default: none is). */
  permanent?: (err: unknown) => boolean;
  /** A failure that is part of normal operation (e.g. waiting for another event): logged at info, not warn. */
  expected?: (err: unknown) => boolean;
  /** What a message is about, for log lines (e.g. `{ eventId }`). */
  about?: (body: Body) => Record<string, unknown>;
}

export type Verdict = { permanent: true } | { permanent: false; delaySeconds: number };

/** Records a failure in the domain's own rows before the message is retried or given up. */
export type FailureRecorder<Body> = (body: Body, err: unknown, verdict: Verdict) => Promise<void>;

function verdictOf<Body>(policy: ConsumerPolicy<Body>, message: Message<Body>, err: unknown): Verdict {
  if (policy.permanent?.(err)) return { permanent: true };
  return { permanent: false, delaySeconds: retryDelaySeconds(policy.retry, message.attempts) };
}

/** Gives up on `message` or retries it, after `failed` recorded why; logs either way. */
async function fail<Body>(policy: ConsumerPolicy<Body>, message: Message<Body>, err: unknown, failed?: FailureRecorder<Body>) {
  let verdict = verdictOf(policy, message, err);
  const fields = { queue: policy.queue, messageId: message.id, attempt: message.attempts, ...policy.about?.(message.body) };
  if (failed) {
    try {
      await failed(message.body, err, verdict);
    } catch (recordErr) {
      // Not recorded, so not given up either: the next attempt records it.
      log("error", "queue message failure not recorded", { ...fields, error: truncateText(String(recordErr), 500) });
      if (verdict.permanent) verdict = { permanent: false, delaySeconds: retryDelaySeconds(policy.retry, message.attempts) };
    }
  }
  const error = truncateText(String(err), 500);
  if (verdict.permanent) {
    log("error", "queue message failed for good", { ...fields, error });
    message.ack();
    return;
  }
  const level: LogLevel = policy.expected?.(err) ? "info" : "warn";
  log(level, "queue message failed; retrying", { ...fields, delaySeconds: verdict.delaySeconds, error });
  message.retry({ delaySeconds: verdict.delaySeconds });
}

/** Runs `work` for one message: acked once it is done; if it threw, given up or retried by the policy. */
export async function settle<Body>(
  policy: ConsumerPolicy<Body>,
  message: Message<Body>,
  work: (body: Body) => Promise<unknown>,
  failed?: FailureRecorder<Body>,
): Promise<void> {
  try {
    await work(message.body);
  } catch (err) {
    return fail(policy, message, err, failed);
  }
  message.ack();
}

/** Every message of a batch in turn, each settled on its own. */
export async function consumeEach<Body>(
  batch: MessageBatch<Body>,
  policy: ConsumerPolicy<Body>,
  work: (body: Body) => Promise<unknown>,
  failed?: FailureRecorder<Body>,
): Promise<void> {
  for (const message of batch.messages) await settle(policy, message, work, failed);
}

/** Messages whose shared work failed (a batch read, a batch write): each given up or retried by the policy. */
export async function failAll<Body>(policy: ConsumerPolicy<Body>, messages: readonly Message<Body>[], err: unknown): Promise<void> {
  for (const message of messages) await fail(policy, message, err);
}
