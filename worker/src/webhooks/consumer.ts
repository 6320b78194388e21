import { and, eq } from "drizzle-orm";
import { createDb, type Db } from "../db/client";
import { webhookDeliveries } from "../db/schema";
import type { Env } from "../env";
import { log } from "../http/log";
import { attemptDeliveries, type DeliveryOutcome, ERROR_RETRY_SECONDS } from "./delivery";
import { dispatchEvent } from "./dispatch";
import { enqueueDeliveries, enqueueRecovery, type RecoveryMessage, type WebhookQueueMessage } from "./outbox";
import { walkRecovery } from "./recovery";

type WebhookMessage = Message<WebhookQueueMessage>;

/**
 * `plaza-webhooks`: events to fan out, deliveries to attempt, recoveries to walk (recovery.ts). A
 * batch's deliveries are read, leased and recorded together (a few D1 round trips per batch, not
 * per message) and attempted concurrently (one slow endpoint does not hold up the others'
 * fetches). Each message is acked or retried on its own, and only after its outcome is recorded,
 * so a crash mid-batch re-runs only unacked messages, and those find their work done.
 */
export async function consumeWebhooks(batch: MessageBatch<WebhookQueueMessage>, env: Env) {
  const db = createDb(env.DB);
  const events = batch.messages.filter((m) => m.body.kind === "event");
  const deliveries = batch.messages.filter((m) => m.body.kind === "delivery");
  const recoveries = batch.messages.filter((m): m is Message<RecoveryMessage> => m.body.kind === "recovery");
  await Promise.all([
    ...events.map((m) => settle(m, () => dispatchEvent(env, db, m.body.id))),
    ...recoveries.map((m) => settle(m, () => walk(env, db, m.body))),
    deliver(env, db, deliveries),
  ]);
}

/** Acked once `work` is done; retried soon if it threw. */
async function settle(message: WebhookMessage, work: () => Promise<unknown>) {
  try {
    await work();
    message.ack();
  } catch (err) {
    log("error", "webhook message failed", { kind: message.body.kind, id: message.body.id, error: String(err) });
    message.retry({ delaySeconds: ERROR_RETRY_SECONDS });
  }
}

/** One stretch of a recovery; a fresh message goes on with the rest. */
async function walk(env: Env, db: Db, recovery: RecoveryMessage) {
  const next = await walkRecovery(env, db, recovery);
  if (next) await enqueueRecovery(env, next.message, next.delaySeconds);
}

async function deliver(env: Env, db: Db, messages: WebhookMessage[]) {
  if (messages.length === 0) return;
  const { firsts, copies } = splitCopies(messages);
  let outcomes: Map<string, DeliveryOutcome>;
  try {
    outcomes = await attemptDeliveries(
      env,
      db,
      firsts.map((m) => m.body.id),
    );
  } catch (err) {
    log("error", "webhook batch failed", { deliveries: firsts.length, error: String(err) });
    for (const m of firsts) m.retry({ delaySeconds: ERROR_RETRY_SECONDS });
    for (const m of copies) m.ack();
    return;
  }
  const later = new Map<number, WebhookMessage[]>();
  for (const m of firsts) {
    const outcome = outcomes.get(m.body.id)!;
    if (outcome.kind === "retry") m.retry({ delaySeconds: outcome.delaySeconds });
    else if (outcome.kind === "later") later.set(outcome.delaySeconds, [...(later.get(outcome.delaySeconds) ?? []), m]);
    else m.ack();
  }
  await Promise.all([...later].map(([delaySeconds, waiting]) => sendAgainLater(env, waiting, delaySeconds)));
  for (const m of copies) m.ack();
}

/**
 * The first message per delivery carries it; a copy in the same batch would only repeat that
 * work (and, retried too, would keep two messages alive for one delivery), so it is acked at the end.
 */
function splitCopies(messages: WebhookMessage[]) {
  const seen = new Set<string>();
  const firsts: WebhookMessage[] = [];
  const copies: WebhookMessage[] = [];
  for (const m of messages) {
    (seen.has(m.body.id) ? copies : firsts).push(m);
    seen.add(m.body.id);
  }
  return { firsts, copies };
}

/** Not attempted now: a fresh message later, so waiting spends none of the delivery's retries. */
async function sendAgainLater(env: Env, messages: WebhookMessage[], delaySeconds: number) {
  try {
    await enqueueDeliveries(
      env,
      messages.map((m) => m.body.id),
      delaySeconds,
    );
    for (const m of messages) m.ack();
  } catch (err) {
    log("error", "webhook deliveries could not be queued again", { deliveries: messages.length, error: String(err) });
    for (const m of messages) m.retry({ delaySeconds: ERROR_RETRY_SECONDS });
  }
}

/**
 * Deliveries whose retries ran out are marked failed (so is the delivery a recovery was waiting
 * on); they stay replayable (resend, recover).
 */
export async function consumeWebhookDeadLetters(batch: MessageBatch<WebhookQueueMessage>, env: Env) {
  const db = createDb(env.DB);
  for (const message of batch.messages) {
    const { body } = message;
    const deliveryId = body.kind === "delivery" ? body.id : body.kind === "recovery" ? body.head : undefined;
    if (deliveryId !== undefined) {
      await db
        .update(webhookDeliveries)
        .set({ status: "failed", leasedUntil: null, updatedAt: Date.now() })
        .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.status, "pending")));
    }
    // An event that could not be dispatched stays undispatched: maintenance queues it again.
    message.ack();
  }
}
