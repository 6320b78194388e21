import { eq, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { truncateText } from "../../../shared/text";
import { backgroundContext } from "../context";
import { createDb, type Db } from "../db/client";
import type { Env, StripeEventMessage } from "../env";
import { type ConsumerPolicy, consumeEach, type Verdict } from "../http/queue-consumer";
import { worthRetrying } from "../http/stripe-errors";
import { NotYetKnown, type Runtime } from "../module";
import { stripeEvents } from "./tables";

/**
 * Up to 10 retries (wrangler.toml), 5 s doubling to 10 min: an event whose order is not in yet
 * waits. Stripe refusing for good is not retried: the event is marked failed at once, as the
 * dead-letter queue would after every retry, and is replayable the same way.
 */
const STRIPE_EVENTS_QUEUE: ConsumerPolicy<StripeEventMessage> = {
  queue: "plaza-stripe-events",
  retry: { baseSeconds: 5, maxSeconds: 600, jitter: 0.2 },
  permanent: (err) => !worthRetrying(err),
  expected: (err) => err instanceof NotYetKnown,
  about: (body) => ({ eventId: body.eventId }),
};

const STRIPE_EVENT_DEAD_LETTERS: ConsumerPolicy<StripeEventMessage> = {
  queue: "plaza-stripe-events-dlq",
  retry: { baseSeconds: 10, maxSeconds: 300, jitter: 0.2 },
  about: (body) => ({ eventId: body.eventId }),
};

/**
 * Processes recorded Stripe events: each goes to the handler the module owning its type
 * registered (`runtime.stripeHandlers`); a type nobody handles is ignored. Each message is acked
 * or retried on its own; an event already processed (a duplicate message) is acked untouched.
 * Handlers re-fetch what they act on from Stripe and write only idempotent statements, so order
 * and repetition do not matter.
 */
export async function consumeStripeEvents(batch: MessageBatch<StripeEventMessage>, env: Env, runtime: Runtime) {
  const db = createDb(env.DB);
  await consumeEach(
    batch,
    STRIPE_EVENTS_QUEUE,
    (body) => processEvent(env, db, runtime, body.eventId),
    (body, err, verdict) => recordFailure(db, body.eventId, err, verdict),
  );
}

async function processEvent(env: Env, db: Db, runtime: Runtime, eventId: string) {
  const [row] = await db.select().from(stripeEvents).where(eq(stripeEvents.id, eventId)).limit(1);
  if (!row || row.status === "processed" || row.status === "ignored") return;
  const event = JSON.parse(row.payload) as Stripe.Event;
  const handler = Object.hasOwn(runtime.stripeHandlers, event.type) ? runtime.stripeHandlers[event.type] : undefined;
  // The event's own id names the work in logs and audit rows.
  const ctx = backgroundContext(env, { requestId: event.id, userAgent: "stripe-webhook", handlers: runtime.events });
  const outcome = handler ? await handler({ ...ctx, event }) : "ignored";
  await db
    .update(stripeEvents)
    .set({ status: outcome, attempts: row.attempts + 1, processedAt: Date.now(), lastError: null })
    .where(eq(stripeEvents.id, row.id));
}

/** The attempt and its error on the event's row; given up on, the event is `failed` (replayable). */
async function recordFailure(db: Db, eventId: string, err: unknown, verdict: Verdict) {
  await db
    .update(stripeEvents)
    .set({
      attempts: sql`${stripeEvents.attempts} + 1`,
      lastError: truncateText(String(err), 500),
      ...(verdict.permanent ? { status: "failed" as const } : {}),
    })
    .where(eq(stripeEvents.id, eventId));
}

/** Events that exhausted their retries: marked failed, visible to operators, replayable by re-queueing. */
export async function consumeStripeEventDeadLetters(batch: MessageBatch<StripeEventMessage>, env: Env, runtime: Runtime) {
  const { db, events } = backgroundContext(env, { requestId: `stripe-events-dlq_${Date.now()}`, handlers: runtime.events });
  await events.emit("queue.dead_lettered", batch);
  await consumeEach(batch, STRIPE_EVENT_DEAD_LETTERS, async (body) => {
    await db.update(stripeEvents).set({ status: "failed" }).where(eq(stripeEvents.id, body.eventId));
  });
}
