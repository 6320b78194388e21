/**
 * The webhook outbox. A change and its event are written in one D1 batch (`webhookEvent` gives
 * the insert); the event id is queued after the batch, and the maintenance job re-queues events
 * whose enqueue was lost. The dispatcher then fans it out to the org's endpoints.
 */
import { WEBHOOK_EVENTS, type WebhookEventData, type WebhookEventType } from "../../../shared/webhook-events";
import { derivedId, newId } from "../crypto/random";
import type { Db } from "../db/client";
import { webhookEvents } from "../db/schema";
import type { Env } from "../env";

export interface WebhookQueueMessage {
  kind: "event" | "delivery";
  id: string;
}

/**
 * The insert of one event. `cause` (e.g. the order id) makes the id derived, so writing the same
 * change twice writes one event; without it the id is random. The data is checked against the
 * catalog: a payload that does not match it is a bug, not input.
 */
export async function webhookEvent<T extends WebhookEventType>(db: Db, orgId: string, type: T, data: WebhookEventData<T>, options: { cause?: string; now?: number } = {}) {
  const now = options.now ?? Date.now();
  const checked = WEBHOOK_EVENTS[type].data.parse(data);
  const id = options.cause ? await derivedId("webhookEvent", `${type}:${options.cause}`) : newId("webhookEvent");
  const payload = JSON.stringify({ type, timestamp: new Date(now).toISOString(), data: checked });
  return { id, insert: db.insert(webhookEvents).values({ id, orgId, type, payload, createdAt: now }).onConflictDoNothing() };
}

export async function enqueueWebhookEvents(env: Env, ids: string[]) {
  if (ids.length === 0) return;
  await env.WEBHOOKS_QUEUE.sendBatch(ids.map((id) => ({ body: { kind: "event", id } satisfies WebhookQueueMessage })));
}

export async function enqueueDeliveries(env: Env, ids: string[], delaySeconds?: number) {
  for (let i = 0; i < ids.length; i += 100) {
    await env.WEBHOOKS_QUEUE.sendBatch(ids.slice(i, i + 100).map((id) => ({ body: { kind: "delivery", id } satisfies WebhookQueueMessage, delaySeconds })));
  }
}
