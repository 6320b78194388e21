import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import { truncateText } from "../../../shared/text";
import { createDb } from "../db/client";
import { stripeEvents } from "../db/schema";
import type { Env, StripeEventMessage } from "../env";
import { log } from "../http/log";
import { NotYetKnown } from "../orders/refunds";
import { worthRetrying } from "./errors";
import { HANDLERS } from "./event-handlers";

/** Retry delay for the n-th attempt: 5 s doubling to 10 min (an event whose order is not in yet waits). */
export const retryDelaySeconds = (attempt: number) => Math.min(600, 5 * 2 ** Math.max(0, attempt - 1));

/**
 * Processes recorded Stripe events. Each message is acked or retried on its own; an event already
 * processed (a duplicate message) is acked untouched. Handlers re-fetch what they act on from
 * Stripe and write only idempotent statements, so order and repetition do not matter.
 */
export async function consumeStripeEvents(batch: MessageBatch<StripeEventMessage>, env: Env) {
  const db = createDb(env.DB);
  for (const message of batch.messages) {
    const row = await db.query.stripeEvents.findFirst({ where: eq(stripeEvents.id, message.body.eventId) });
    if (!row || row.status === "processed" || row.status === "ignored") {
      message.ack();
      continue;
    }
    const event = JSON.parse(row.payload) as Stripe.Event;
    const handler = HANDLERS[event.type];
    try {
      const outcome = handler
        ? await handler({ env, db, event, meta: { ip: null, requestId: event.id, userAgent: "stripe-webhook" } })
        : "ignored";
      await db
        .update(stripeEvents)
        .set({ status: outcome, attempts: row.attempts + 1, processedAt: Date.now(), lastError: null })
        .where(eq(stripeEvents.id, row.id));
      message.ack();
    } catch (err) {
      const lastError = truncateText(String(err), 500);
      if (!worthRetrying(err)) {
        // Stripe refused for good (an object it no longer has, a request it will never take): marked
        // failed at once, as the dead-letter queue would after every retry, and replayable the same way.
        await db
          .update(stripeEvents)
          .set({ status: "failed", attempts: row.attempts + 1, lastError })
          .where(eq(stripeEvents.id, row.id));
        log("error", "stripe event failed for good", { eventId: row.id, type: row.type, error: lastError });
        message.ack();
        continue;
      }
      await db
        .update(stripeEvents)
        .set({ attempts: row.attempts + 1, lastError })
        .where(eq(stripeEvents.id, row.id));
      log(err instanceof NotYetKnown ? "info" : "warn", "stripe event processing failed", {
        eventId: row.id,
        type: row.type,
        attempt: message.attempts,
        error: lastError,
      });
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    }
  }
}

/** Events that exhausted their retries: marked failed, visible to operators, replayable by re-queueing. */
export async function consumeStripeEventDeadLetters(batch: MessageBatch<StripeEventMessage>, env: Env) {
  const db = createDb(env.DB);
  for (const message of batch.messages) {
    await db.update(stripeEvents).set({ status: "failed" }).where(eq(stripeEvents.id, message.body.eventId));
    message.ack();
  }
}
