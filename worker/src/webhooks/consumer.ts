import { and, eq } from "drizzle-orm";
import { backgroundContext, type Ctx } from "../context";
import { createDb } from "../db/client";
import type { Env, RecoveryMessage, WebhookQueueMessage } from "../env";
import { type ConsumerPolicy, consumeEach, failAll, settle } from "../http/queue-consumer";
import type { Runtime } from "../module";
import { attemptDeliveries, DELIVERY_RETRY, type DeliveryOutcome } from "./delivery";
import { dispatchEvent } from "./dispatch";
import { enqueueDeliveries, enqueueRecovery } from "./outbox";
import { walkRecovery } from "./recovery";
import { webhookDeliveries } from "./tables";

type WebhookMessage = Message<WebhookQueueMessage>;
type WebhooksCtx = Pick<Ctx, "env" | "db">;

/** Up to 4 retries (wrangler.toml) on the deliveries' schedule; then the dead-letter queue. */
const WEBHOOKS_QUEUE: ConsumerPolicy<WebhookQueueMessage> = {
  queue: "plaza-webhooks",
  retry: DELIVERY_RETRY,
  about: (body) => ({ kind: body.kind, id: body.id }),
};

const WEBHOOK_DEAD_LETTERS: ConsumerPolicy<WebhookQueueMessage> = {
  queue: "plaza-webhooks-dlq",
  retry: { baseSeconds: 10, maxSeconds: 300, jitter: 0.2 },
  about: (body) => ({ kind: body.kind, id: body.id }),
};

/**
 * `plaza-webhooks`: events to fan out, deliveries to attempt, recoveries to walk (recovery.ts). A
 * batch's deliveries are read, leased and recorded together (a few D1 round trips per batch, not
 * per message) and attempted concurrently (one slow endpoint does not hold up the others'
 * fetches). Each message is acked or retried on its own, and only after its outcome is recorded,
 * so a crash mid-batch re-runs only unacked messages, and those find their work done.
 */
export async function consumeWebhooks(batch: MessageBatch<WebhookQueueMessage>, env: Env) {
  const ctx: WebhooksCtx = { env, db: createDb(env.DB) };
  const events = batch.messages.filter((m) => m.body.kind === "event");
  const deliveries = batch.messages.filter((m) => m.body.kind === "delivery");
  const recoveries = batch.messages.filter((m): m is Message<RecoveryMessage> => m.body.kind === "recovery");
  await Promise.all([
    ...events.map((m) => settle(WEBHOOKS_QUEUE, m, (body) => dispatchEvent(ctx, body.id))),
    ...recoveries.map((m) => settle(WEBHOOKS_QUEUE, m, (body) => walk(ctx, body))),
    deliver(ctx, deliveries),
  ]);
}

/** One stretch of a recovery; a fresh message goes on with the rest. */
async function walk(ctx: WebhooksCtx, recovery: RecoveryMessage) {
  const next = await walkRecovery(ctx, recovery);
  if (next) await enqueueRecovery(ctx.env, next.message, next.delaySeconds);
}

async function deliver(ctx: WebhooksCtx, messages: WebhookMessage[]) {
  if (messages.length === 0) return;
  const { firsts, copies } = splitCopies(messages);
  let outcomes: Map<string, DeliveryOutcome>;
  try {
    outcomes = await attemptDeliveries(
      ctx,
      firsts.map((m) => m.body.id),
    );
  } catch (err) {
    for (const m of copies) m.ack();
    return failAll(WEBHOOKS_QUEUE, firsts, err);
  }
  const later = new Map<number, WebhookMessage[]>();
  for (const m of firsts) {
    const outcome = outcomes.get(m.body.id)!;
    if (outcome.kind === "retry") m.retry({ delaySeconds: outcome.delaySeconds });
    else if (outcome.kind === "later") later.set(outcome.delaySeconds, [...(later.get(outcome.delaySeconds) ?? []), m]);
    else m.ack();
  }
  await Promise.all([...later].map(([delaySeconds, waiting]) => sendAgainLater(ctx.env, waiting, delaySeconds)));
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
    return failAll(WEBHOOKS_QUEUE, messages, err);
  }
}

/**
 * Deliveries whose retries ran out are marked failed (so is the delivery a recovery was waiting
 * on); they stay replayable (resend, recover).
 */
export async function consumeWebhookDeadLetters(batch: MessageBatch<WebhookQueueMessage>, env: Env, runtime: Runtime) {
  const { db, events } = backgroundContext(env, { requestId: `webhooks-dlq_${Date.now()}`, handlers: runtime.events });
  await events.emit("queue.dead_lettered", batch);
  await consumeEach(batch, WEBHOOK_DEAD_LETTERS, async (body) => {
    const deliveryId = body.kind === "delivery" ? body.id : body.kind === "recovery" ? body.head : undefined;
    // An event that could not be dispatched stays undispatched: maintenance queues it again.
    if (deliveryId === undefined) return;
    await db
      .update(webhookDeliveries)
      .set({ status: "failed", leasedUntil: null, updatedAt: Date.now() })
      .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.status, "pending")));
  });
}
