/**
 * The webhook outbox. A change and its event are written in one D1 batch (`webhookEvent` gives
 * the insert); the event id is queued after the batch, and `requeue-undispatched-webhooks` re-queues events
 * whose enqueue was lost. The dispatcher then fans it out to the org's endpoints.
 */
import type { SQL } from "drizzle-orm";
import { WEBHOOK_EVENTS, type WebhookEventData, type WebhookEventType } from "../../../shared/webhook-events";
import { derivedId, newId } from "../crypto/random";
import type { Db } from "../db/client";
import { insertIf } from "../db/insert-if";
import type { Env, RecoveryMessage, WebhookQueueMessage } from "../env";
import { webhookEvents } from "./tables";

/**
 * The insert of one event. `cause` (e.g. the order id) makes the id derived, so writing the same
 * change twice writes one event; without it the id is random. The data is checked against the
 * catalog: a payload that does not match it is a bug, not input.
 */
export async function webhookEvent<T extends WebhookEventType>(
  db: Db,
  orgId: string,
  type: T,
  data: WebhookEventData<T>,
  options: { cause?: string; now?: number } = {},
) {
  const now = options.now ?? Date.now();
  const id = await eventIdFor(type, options.cause);
  const row = await eventRow(type, data, { orgId, id, now });
  return { id, insert: db.insert(webhookEvents).values(row).onConflictDoNothing() };
}

const eventIdFor = async (type: string, cause?: string) => (cause ? derivedId("webhookEvent", `${type}:${cause}`) : newId("webhookEvent"));

async function eventRow<T extends WebhookEventType>(
  type: T,
  data: WebhookEventData<T>,
  { orgId, id, now }: { orgId: string; id: string; now: number },
) {
  const checked = WEBHOOK_EVENTS[type].data.parse(data);
  return { id, orgId, type, payload: JSON.stringify({ type, timestamp: new Date(now).toISOString(), data: checked }), createdAt: now };
}

/**
 * An event for a guarded change (e.g. "insert the review if the user is a buyer"): placed after
 * the change in the same batch, it is written only if `condition` holds by then.
 */
export async function webhookEventIf<T extends WebhookEventType>(
  db: Db,
  orgId: string,
  type: T,
  data: WebhookEventData<T>,
  condition: SQL,
  options: { cause?: string; now?: number } = {},
) {
  const id = await eventIdFor(type, options.cause);
  const row = await eventRow(type, data, { orgId, id, now: options.now ?? Date.now() });
  return { id, insert: insertIf(db, webhookEvents, row, condition).onConflictDoNothing() };
}

/** Cloudflare Queues take at most 100 messages per sendBatch. */
const QUEUE_BATCH_LIMIT = 100;

async function enqueue(env: Env, kind: "event" | "delivery", ids: string[], delaySeconds?: number) {
  for (let i = 0; i < ids.length; i += QUEUE_BATCH_LIMIT) {
    await env.WEBHOOKS_QUEUE.sendBatch(
      ids.slice(i, i + QUEUE_BATCH_LIMIT).map((id) => ({ body: { kind, id } satisfies WebhookQueueMessage, delaySeconds })),
    );
  }
}

export const enqueueWebhookEvents = (env: Env, ids: string[]) => enqueue(env, "event", ids);

export const enqueueDeliveries = (env: Env, ids: string[], delaySeconds?: number) => enqueue(env, "delivery", ids, delaySeconds);

export const enqueueRecovery = (env: Env, message: RecoveryMessage, delaySeconds?: number) =>
  env.WEBHOOKS_QUEUE.send(message, { delaySeconds });
