/**
 * Recover after an endpoint was disabled: events that happen meanwhile are recorded as skipped (no
 * attempt, nothing queued), and recover sends them, with the failed ones, since a time: once each,
 * oldest event first. Dispatch is driven by hand, to see what it queues; recovery runs on the real
 * queue.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { beforeAll, expect, it } from "vitest";
import { eventually } from "../../test/eventually";
import { lastMailTo, type OrgFixture, orgFixture } from "../../test/fixtures";
import { call } from "../../test/http";
import { type Answer, scriptedReceiver } from "../../test/webhook-receiver";
import { createDb } from "../db/client";
import type { WebhookQueueMessage } from "../env";
import worker from "../index";
import { webhookEvent } from "./outbox";
import { WEBHOOK_LOG_RETENTION_DAYS } from "./retention";

let fx: OrgFixture;
beforeAll(async () => {
  fx = await orgFixture();
});

const endpointsPath = () => `/v1/orgs/${fx.orgId}/webhooks/endpoints`;
const asAdmin = () => ({ token: fx.admin.accessToken });

async function endpointWith(script: Answer[]) {
  const receiver = scriptedReceiver(`recovery-${crypto.randomUUID()}`, script);
  const res = await call("POST", endpointsPath(), { ...asAdmin(), body: { url: receiver.url } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { ...receiver, id: res.body.id as string, secret: res.body.secret as string };
}

/** The webhooks queue as the consumer sees it, recording every message sent to it. */
function recordingEnv() {
  const sent: WebhookQueueMessage[] = [];
  const queue = env.WEBHOOKS_QUEUE;
  const recording: Queue<WebhookQueueMessage> = {
    metrics: () => queue.metrics(),
    send: (body, options) => {
      sent.push(body);
      return queue.send(body, options);
    },
    sendBatch: (messages, options) => {
      sent.push(...[...messages].map((m) => m.body));
      return queue.sendBatch(messages, options);
    },
  };
  return { sent, env: { ...env, WEBHOOKS_QUEUE: recording } };
}

let batches = 0;
/** An `item.published` event that happened at `at`, dispatched by a hand-driven batch of the webhooks queue. */
async function dispatchedEvent(at: number, testEnv: typeof env) {
  const event = await webhookEvent(
    createDb(env.DB),
    fx.orgId,
    "item.published",
    { item: { id: "itm_00000000000000000000", slug: "x", name: `X at ${at}` }, publishedAt: at },
    { now: at },
  );
  await event.insert;
  const batch = createMessageBatch<WebhookQueueMessage>("plaza-webhooks", [
    { id: `dispatch${++batches}`, timestamp: new Date(), attempts: 1, body: { kind: "event", id: event.id } },
  ]);
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<unknown>, testEnv);
  expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual([`dispatch${batches}`]);
  return event.id;
}

const deliveryOf = (eventId: string, endpointId: string) =>
  env.DB.prepare("SELECT status, attempts FROM webhook_deliveries WHERE event_id = ? AND endpoint_id = ?")
    .bind(eventId, endpointId)
    .first<{ status: string; attempts: number }>();
const attemptCount = (eventId: string) =>
  env.DB.prepare("SELECT count(*) AS n FROM webhook_attempts WHERE event_id = ?").bind(eventId).first<number>("n");
const recover = (endpointId: string, since: number) =>
  call("POST", `${endpointsPath()}/${endpointId}/recover`, { ...asAdmin(), body: { since } });

it("events while Plaza has an endpoint disabled are skipped; enabled and recovered, they arrive once each, oldest first, signed", async () => {
  const ep = await endpointWith([410, 200]);
  // Plaza disables it on the 410 of a test event, which stays failed.
  const test = await call("POST", `${endpointsPath()}/${ep.id}/test`, asAdmin());
  const endpoint = () => call("GET", `${endpointsPath()}/${ep.id}`, asAdmin());
  await eventually(async () => ((await endpoint()).body.enabled === false ? true : undefined), "Plaza to disable the endpoint");
  expect((await endpoint()).body.disabledReason).toBe("The endpoint answered 410 Gone");
  // The owner's e-mail promises what follows, and keeps skipped events as long as the log is kept.
  const mail = await eventually(async () => {
    const last = await lastMailTo(fx.owner.email);
    return last.subject === "A Plaza webhook endpoint was disabled" ? last : undefined;
  }, "the e-mail to the owner");
  expect(mail.text).toContain(`recorded as skipped and kept for ${WEBHOOK_LOG_RETENTION_DAYS} days`);
  const recording = recordingEnv();
  const before = await dispatchedEvent(Date.now(), recording.env);
  // Both happened a minute before `since`.
  await env.DB.batch(
    [test.body.eventId as string, before].flatMap((eventId) => [
      env.DB.prepare("UPDATE webhook_events SET created_at = created_at - 60000 WHERE id = ?").bind(eventId),
      env.DB.prepare("UPDATE webhook_deliveries SET created_at = created_at - 60000 WHERE event_id = ?").bind(eventId),
    ]),
  );
  const since = Date.now() - 30_000;

  // Three events while it is disabled, dispatched newest first.
  const at = Date.now();
  const [third, first, second] = [
    await dispatchedEvent(at + 2, recording.env),
    await dispatchedEvent(at, recording.env),
    await dispatchedEvent(at + 1, recording.env),
  ];
  for (const eventId of [first, second, third]) {
    const message = await call("GET", `/v1/orgs/${fx.orgId}/webhooks/messages/${eventId}`, asAdmin());
    expect(message.body.deliveries).toEqual([
      { endpointId: ep.id, status: "skipped", attempts: 0, lastStatusCode: null, lastError: "endpoint disabled", deliveredAt: null },
    ]);
    expect(await attemptCount(eventId)).toBe(0);
  }
  expect(recording.sent).toEqual([]);
  expect(await deliveryOf(before, ep.id)).toEqual({ status: "skipped", attempts: 0 });
  expect(ep.received).toHaveLength(1);

  expect((await call("PATCH", `${endpointsPath()}/${ep.id}`, { ...asAdmin(), body: { enabled: true } })).status).toBe(200);
  const recovered = await recover(ep.id, since);
  expect([recovered.status, recovered.body]).toEqual([202, { recovered: 3 }]);
  await eventually(async () => (ep.received.length >= 4 ? true : undefined), "the recovered deliveries");
  const sent = ep.received.slice(1);
  expect(sent.map((r) => r.headers["webhook-id"])).toEqual([first, second, third]);
  for (const r of sent) expect(new Webhook(ep.secret).verify(r.body, r.headers)).toMatchObject({ type: "item.published" });
  await eventually(async () => ((await deliveryOf(third, ep.id))!.status === "delivered" ? true : undefined), "the last delivery recorded");
  for (const eventId of [first, second, third]) expect(await deliveryOf(eventId, ep.id)).toEqual({ status: "delivered", attempts: 1 });
  // What happened before `since` was left alone.
  expect(await deliveryOf(test.body.eventId, ep.id)).toEqual({ status: "failed", attempts: 1 });
  expect(await deliveryOf(before, ep.id)).toEqual({ status: "skipped", attempts: 0 });

  // Recovering again finds nothing to send.
  expect((await recover(ep.id, since)).body).toEqual({ recovered: 0 });
  expect(ep.received).toHaveLength(4);
  for (const eventId of [first, second, third]) expect(await attemptCount(eventId)).toBe(1);
});

/** `n` events while the endpoint is off (dispatched newest first); answers their ids, oldest first. */
async function skippedEvents(endpointId: string, n: number) {
  const at = Date.now();
  const newestFirst: string[] = [];
  for (let i = n - 1; i >= 0; i--) newestFirst.push(await dispatchedEvent(at + i, env));
  const ids = newestFirst.reverse();
  for (const eventId of ids) expect(await deliveryOf(eventId, endpointId)).toEqual({ status: "skipped", attempts: 0 });
  return ids;
}

async function enableAndRecover(endpointId: string, expected: number) {
  expect((await call("PATCH", `${endpointsPath()}/${endpointId}`, { ...asAdmin(), body: { enabled: true } })).status).toBe(200);
  expect((await recover(endpointId, Date.now() - 60_000)).body).toEqual({ recovered: expected });
}

it("a delivery that fails on its turn goes on the retry schedule while the walk goes on", async () => {
  // The second answers 503 asking for an hour: the third is sent meanwhile.
  const ep = await endpointWith([200, { status: 503, headers: { "retry-after": "3600" } }, 200]);
  await call("PATCH", `${endpointsPath()}/${ep.id}`, { ...asAdmin(), body: { enabled: false } });
  const [first, second, third] = await skippedEvents(ep.id, 3);
  await enableAndRecover(ep.id, 3);
  await eventually(async () => ((await deliveryOf(third!, ep.id))!.status === "delivered" ? true : undefined), "the third delivered");
  expect(ep.received.map((r) => r.headers["webhook-id"])).toEqual([first, second, third]);
  expect(await deliveryOf(first!, ep.id)).toEqual({ status: "delivered", attempts: 1 });
  expect(await deliveryOf(second!, ep.id)).toEqual({ status: "pending", attempts: 1 });
});

it("over the endpoint's rate limit the walk waits for its turn instead of going on", async () => {
  const ep = await endpointWith([200]);
  await call("PATCH", `${endpointsPath()}/${ep.id}`, { ...asAdmin(), body: { enabled: false, rateLimit: 1 } });
  const ids = await skippedEvents(ep.id, 3);
  await enableAndRecover(ep.id, 3);
  await eventually(async () => (ep.received.length >= 3 ? true : undefined), "the recovered deliveries", 30_000);
  expect(ep.received.map((r) => r.headers["webhook-id"])).toEqual(ids);
  for (const eventId of ids) expect(await deliveryOf(eventId, ep.id)).toEqual({ status: "delivered", attempts: 1 });
});
