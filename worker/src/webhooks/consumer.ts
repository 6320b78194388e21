import { and, eq } from "drizzle-orm";
import { createDb, type Db } from "../db/client";
import { webhookDeliveries } from "../db/schema";
import type { Env } from "../env";
import { log } from "../http/log";
import { attemptDelivery } from "./delivery";
import { dispatchEvent } from "./dispatch";
import { enqueueDeliveries, type WebhookQueueMessage } from "./outbox";

/**
 * `plaza-webhooks`: events to fan out and deliveries to attempt. A batch's messages run
 * concurrently (one slow endpoint does not hold up the others) and each is acked or retried on
 * its own, so a crash mid-batch re-runs only unacked messages, and those find their work done.
 * Two copies of one delivery in a batch are kept apart by the delivery's lease.
 */
export async function consumeWebhooks(batch: MessageBatch<WebhookQueueMessage>, env: Env) {
  const db = createDb(env.DB);
  await Promise.all(batch.messages.map((message) => handle(env, db, message)));
}

async function handle(env: Env, db: Db, message: Message<WebhookQueueMessage>) {
  const { kind, id } = message.body;
  try {
    if (kind === "event") {
      await dispatchEvent(env, db, id);
      message.ack();
      return;
    }
    const outcome = await attemptDelivery(env, db, id);
    if (outcome.kind === "retry") {
      message.retry({ delaySeconds: outcome.delaySeconds });
      return;
    }
    // Not attempted now: a fresh message later, so waiting spends none of the delivery's retries.
    if (outcome.kind === "later") await enqueueDeliveries(env, [id], outcome.delaySeconds);
    message.ack();
  } catch (err) {
    log("error", "webhook message failed", { kind, id, error: String(err) });
    message.retry({ delaySeconds: 5 });
  }
}

/** Deliveries whose retries ran out are marked failed; they stay replayable (resend, recover). */
export async function consumeWebhookDeadLetters(batch: MessageBatch<WebhookQueueMessage>, env: Env) {
  const db = createDb(env.DB);
  for (const message of batch.messages) {
    if (message.body.kind === "delivery") {
      await db.update(webhookDeliveries).set({ status: "failed", leasedUntil: null, updatedAt: Date.now() }).where(and(eq(webhookDeliveries.id, message.body.id), eq(webhookDeliveries.status, "pending")));
    }
    // An event that could not be dispatched stays undispatched: maintenance queues it again.
    message.ack();
  }
}
