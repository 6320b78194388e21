/**
 * Outgoing webhooks against scripted receivers (worker/test/webhook-receiver.ts). Every delivery
 * is verified with the `standardwebhooks` library. Retry delays are read from the queue calls of
 * hand-driven batches, never from waiting.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { beforeAll, describe, expect, it } from "vitest";
import { createOrg, createUser, type OrgFixture, orgFixture } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";
import { notificationsOf } from "../../test/notification-fixtures";
import { countRows, eventually } from "../../test/payments";
import { statusCounts } from "../../test/rate-limits";
import { type Answer, type Received, scriptedReceiver } from "../../test/webhook-receiver";
import { createDb } from "../db/client";
import type { WebhookQueueMessage } from "../env";
import worker from "../index";
import { attemptDeliveries, FAILING_DISABLE_MS } from "./delivery";
import { deliveryInsert } from "./dispatch";
import { MAX_ENDPOINTS_PER_ORG } from "./endpoints";
import { webhookEvent } from "./outbox";

let fx: OrgFixture;
beforeAll(async () => {
  fx = await orgFixture();
});

let receivers = 0;
async function endpointWith(script: Answer[], body: Record<string, unknown> = {}) {
  const receiver = scriptedReceiver(`r${++receivers}-${Date.now().toString(36)}`, script);
  const res = await call("POST", `/v1/orgs/${fx.orgId}/webhooks/endpoints`, {
    token: fx.admin.accessToken,
    body: { url: receiver.url, ...body },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { ...receiver, id: res.body.id as string, secret: res.body.secret as string };
}

/** An event and its delivery to one endpoint, written but not queued: the test drives the consumer. */
async function pendingDelivery(endpointId: string) {
  const db = createDb(env.DB);
  const now = Date.now();
  const event = await webhookEvent(db, fx.orgId, "webhook.test", { endpointId, message: "scripted" }, { now });
  const delivery = await deliveryInsert(db, { event: { id: event.id, orgId: fx.orgId }, endpointId, now });
  await db.batch([event.insert, delivery.insert]);
  return { eventId: event.id, deliveryId: delivery.id };
}

let messages = 0;
/** One hand-driven batch of the webhooks queue: what the consumer acked and retried (with delays). */
async function consume(bodies: WebhookQueueMessage[], attempts = 1, testEnv: typeof env = env) {
  const batch = createMessageBatch<WebhookQueueMessage>(
    "plaza-webhooks",
    bodies.map((body) => ({ id: `m${++messages}`, timestamp: new Date(), attempts, body })),
  );
  // The queue calls themselves, with the delay each retry asked for.
  const retries: { msgId: string; delaySeconds?: number }[] = [];
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    message.retry = (options?: QueueRetryOptions) => {
      retries.push({ msgId: message.id, delaySeconds: options?.delaySeconds });
      retry(options);
    };
  }
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<unknown>, testEnv);
  const result = await getQueueResult(batch, ctx);
  expect(result.retryMessages.map((m) => m.msgId)).toEqual(retries.map((r) => r.msgId));
  return { ...result, retryMessages: retries };
}

const verified = (secret: string, r: Received) =>
  new Webhook(secret).verify(r.body, r.headers) as { type: string; data: Record<string, unknown> };
const deliveryRow = (id: string) =>
  env.DB.prepare("SELECT status, attempts, last_status_code FROM webhook_deliveries WHERE id = ?")
    .bind(id)
    .first<{ status: string; attempts: number; last_status_code: number | null }>();
const attemptsOf = (endpointId: string) =>
  call("GET", `/v1/orgs/${fx.orgId}/webhooks/endpoints/${endpointId}/attempts`, { token: fx.admin.accessToken });

describe("delivery", () => {
  it("a test event goes through the real queue, signed so that the standardwebhooks library verifies it", async () => {
    const ep = await endpointWith([200]);
    expect(ep.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const sent = await call("POST", `/v1/orgs/${fx.orgId}/webhooks/endpoints/${ep.id}/test`, { token: fx.admin.accessToken });
    expect(sent.status).toBe(202);
    await eventually(async () => (ep.received.length > 0 ? true : undefined), "the delivery");
    const [request] = ep.received;
    expect(request!.headers["webhook-id"]).toBe(sent.body.eventId);
    expect(request!.headers["webhook-timestamp"]).toMatch(/^\d{10}$/);
    expect(request!.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
    expect(verified(ep.secret, request!)).toMatchObject({ type: "webhook.test", data: { endpointId: ep.id } });
    expect(() => new Webhook(`whsec_${btoa("a different secret of 32 bytes!!")}`).verify(request!.body, request!.headers)).toThrow();

    const attempts = await eventually(async () => {
      const res = await attemptsOf(ep.id);
      return res.body.data.length === 1 ? res.body.data : undefined;
    }, "the attempt log");
    expect(attempts[0]).toMatchObject({ eventId: sent.body.eventId, attempt: 1, statusCode: 200, response: "answer 200", error: null });
    const message = await call("GET", `/v1/orgs/${fx.orgId}/webhooks/messages/${sent.body.eventId}`, { token: fx.admin.accessToken });
    expect(message.body).toMatchObject({
      type: "webhook.test",
      payload: { type: "webhook.test" },
      deliveries: [{ endpointId: ep.id, status: "delivered", attempts: 1 }],
    });
  });

  it("500, 500, 200: retried after 1 s and 5 s (with jitter, as queue delays), then delivered; every attempt logged", async () => {
    const ep = await endpointWith([500, 500, 200]);
    const { deliveryId } = await pendingDelivery(ep.id);
    const first = await consume([{ kind: "delivery", id: deliveryId }], 1);
    expect(first.retryMessages).toHaveLength(1);
    expect(first.retryMessages[0]!.delaySeconds).toBe(1);
    const second = await consume([{ kind: "delivery", id: deliveryId }], 2);
    expect(second.retryMessages[0]!.delaySeconds).toBe(5);
    const third = await consume([{ kind: "delivery", id: deliveryId }], 3);
    expect([third.retryMessages, third.explicitAcks]).toEqual([[], [expect.any(String)]]);
    expect(await deliveryRow(deliveryId)).toEqual({ status: "delivered", attempts: 3, last_status_code: 200 });
    expect(ep.received).toHaveLength(3);
    for (const r of ep.received) expect(verified(ep.secret, r).type).toBe("webhook.test");
    expect((await attemptsOf(ep.id)).body.data.map((a: { attempt: number; statusCode: number }) => [a.attempt, a.statusCode])).toEqual([
      [3, 200],
      [2, 500],
      [1, 500],
    ]);
  });

  it("later failures wait 1 min and 1 h (plus up to 20%), and 429/503 honour a longer Retry-After", async () => {
    const ep = await endpointWith([
      500,
      500,
      { status: 429, headers: { "retry-after": "7200" } },
      { status: 503, headers: { "retry-after": "30" } },
    ]);
    const { deliveryId } = await pendingDelivery(ep.id);
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++)
      delays.push((await consume([{ kind: "delivery", id: deliveryId }], attempt)).retryMessages[0]!.delaySeconds!);
    expect(delays[0]).toBe(1);
    expect(delays[1]).toBe(5);
    expect(delays[2]).toBe(7200); // 1 min by the schedule, but the 429 asked for 2 h
    expect(delays[3]).toBeGreaterThanOrEqual(3600); // the schedule's 1 h beats the 503's 30 s
    expect(delays[3]).toBeLessThan(3600 * 1.2);
  });

  it("a timeout is an attempt that failed: logged with its error, retried", async () => {
    const ep = await endpointWith(["hang"]);
    const { deliveryId } = await pendingDelivery(ep.id);
    const result = await consume([{ kind: "delivery", id: deliveryId }], 1, { ...env, WEBHOOK_TIMEOUT_MS: "50" });
    expect(result.retryMessages[0]!.delaySeconds).toBe(1);
    const [attempt] = (await attemptsOf(ep.id)).body.data;
    expect(attempt).toMatchObject({ statusCode: null, error: "timed out after 50 ms" });
  });

  it("410 Gone disables the endpoint at once and notifies the org's admins (in-app and by e-mail); nothing is sent to it afterwards", async () => {
    const ep = await endpointWith([410]);
    const { deliveryId } = await pendingDelivery(ep.id);
    const result = await consume([{ kind: "delivery", id: deliveryId }]);
    expect(result.retryMessages).toEqual([]);
    expect((await deliveryRow(deliveryId))!.status).toBe("failed");
    const endpoint = (await call("GET", `/v1/orgs/${fx.orgId}/webhooks/endpoints/${ep.id}`, { token: fx.admin.accessToken })).body;
    expect(endpoint).toMatchObject({ enabled: false, disabledReason: "The endpoint answered 410 Gone" });
    expect(
      await countRows(`SELECT 1 FROM mail_messages WHERE "to" = ? AND subject = 'A Plaza webhook endpoint was disabled'`, fx.owner.email),
    ).toBeGreaterThanOrEqual(1);
    const disabledNotices = async (user: { id: string }) =>
      (await notificationsOf(user.id, "webhook_endpoint_disabled")).filter((n) => n.link === `/dashboard/webhooks/${ep.id}`);
    expect(await disabledNotices(fx.admin)).toMatchObject([{ title: "A webhook endpoint was disabled", org_id: fx.orgId }]);
    expect((await disabledNotices(fx.admin))[0]!.body).toContain("The endpoint answered 410 Gone");
    expect(await disabledNotices(fx.member)).toEqual([]);

    const next = await pendingDelivery(ep.id);
    await consume([{ kind: "delivery", id: next.deliveryId }]);
    // Later events find it off: nobody is told twice.
    expect(await disabledNotices(fx.owner)).toHaveLength(1);
    expect(ep.received).toHaveLength(1);
    expect((await deliveryRow(next.deliveryId))!.status).toBe("failed");
  });

  it("an endpoint failing everything for 5 days is disabled; its waiting deliveries fail and recover once it is back", async () => {
    const ep = await endpointWith([500, 200, 200]);
    await env.DB.prepare("UPDATE webhook_endpoints SET failing_since = ? WHERE id = ?")
      .bind(Date.now() - FAILING_DISABLE_MS - 1000, ep.id)
      .run();
    const since = Date.now() - 1000;
    const { deliveryId } = await pendingDelivery(ep.id);
    const waiting = await pendingDelivery(ep.id);
    const result = await consume([{ kind: "delivery", id: deliveryId }]);
    expect(result.retryMessages).toEqual([]);
    expect((await call("GET", `/v1/orgs/${fx.orgId}/webhooks/endpoints/${ep.id}`, { token: fx.admin.accessToken })).body).toMatchObject({
      enabled: false,
      disabledReason: "Every delivery failed for 5 days",
    });
    // Both are failed, so "recover" finds them after the owner turns the endpoint back on.
    expect((await deliveryRow(deliveryId))!.status).toBe("failed");
    expect((await deliveryRow(waiting.deliveryId))!.status).toBe("failed");
    await call("PATCH", `/v1/orgs/${fx.orgId}/webhooks/endpoints/${ep.id}`, { token: fx.admin.accessToken, body: { enabled: true } });
    const recovered = await call("POST", `/v1/orgs/${fx.orgId}/webhooks/endpoints/${ep.id}/recover`, {
      token: fx.admin.accessToken,
      body: { since },
    });
    expect(recovered.body).toEqual({ recovered: 2 });
    await eventually(
      async () => ((await deliveryRow(waiting.deliveryId))!.status === "delivered" ? true : undefined),
      "the recovered delivery",
    );
  });

  it("a bad ENCRYPTION_KEYS fails the batch before any attempt: retried by the schedule, nothing sent or charged to the endpoint", async () => {
    const ep = await endpointWith([200]);
    const { deliveryId } = await pendingDelivery(ep.id);
    const result = await consume([{ kind: "delivery", id: deliveryId }], 2, { ...env, ENCRYPTION_KEYS: `${env.ENCRYPTION_KEYS},` });
    expect(result.retryMessages).toEqual([{ msgId: expect.any(String), delaySeconds: 5 }]);
    expect(ep.received).toHaveLength(0);
    expect(await deliveryRow(deliveryId)).toEqual({ status: "pending", attempts: 0, last_status_code: null });
    expect(await countRows("SELECT 1 FROM webhook_attempts WHERE delivery_id = ?", deliveryId)).toBe(0);
    expect(await countRows("SELECT 1 FROM webhook_endpoints WHERE id = ? AND failing_since IS NULL", ep.id)).toBe(1);
  });

  it("a duplicate queue message, in the same batch or concurrently, never makes a second attempt or success", async () => {
    const ep = await endpointWith([200]);
    const { deliveryId } = await pendingDelivery(ep.id);
    const body = { kind: "delivery" as const, id: deliveryId };
    await Promise.all([consume([body, body]), consume([body]), consume([body])]);
    expect(ep.received).toHaveLength(1);
    expect(await countRows("SELECT 1 FROM webhook_attempts WHERE delivery_id = ?", deliveryId)).toBe(1);
    expect(await deliveryRow(deliveryId)).toEqual({ status: "delivered", attempts: 1, last_status_code: 200 });
  });

  it("a duplicate message in one batch of a failing delivery: one attempt, one retry, the copy acked", async () => {
    const ep = await endpointWith([500]);
    const { deliveryId } = await pendingDelivery(ep.id);
    const body = { kind: "delivery" as const, id: deliveryId };
    const result = await consume([body, body]);
    expect(result.retryMessages).toHaveLength(1);
    expect(result.explicitAcks).toHaveLength(1);
    expect(ep.received).toHaveLength(1);
    expect(await deliveryRow(deliveryId)).toEqual({ status: "pending", attempts: 1, last_status_code: 500 });
  });

  it("one batch for several endpoints, more attempts than one insert holds: every outcome recorded, each message settled on its own", async () => {
    const fine = await endpointWith([200]);
    const failing = await endpointWith([500]);
    const gone = await endpointWith([410]);
    const busy = await endpointWith([{ status: 429, headers: { "retry-after": "120" } }]);
    const toFine = await Promise.all(Array.from({ length: 12 }, () => pendingDelivery(fine.id)));
    const [toFailing, toGone, toBusy] = await Promise.all([
      pendingDelivery(failing.id),
      pendingDelivery(gone.id),
      pendingDelivery(busy.id),
    ]);
    const all = [...toFine, toFailing, toGone, toBusy];
    const result = await consume(all.map((d) => ({ kind: "delivery" as const, id: d.deliveryId })));

    expect(result.retryMessages.map((r) => r.delaySeconds)).toEqual([1, 120]);
    expect(result.explicitAcks).toHaveLength(all.length - 2);
    expect([fine.received.length, failing.received.length, gone.received.length, busy.received.length]).toEqual([12, 1, 1, 1]);
    for (const d of toFine) expect(await deliveryRow(d.deliveryId)).toEqual({ status: "delivered", attempts: 1, last_status_code: 200 });
    expect(await deliveryRow(toFailing.deliveryId)).toEqual({ status: "pending", attempts: 1, last_status_code: 500 });
    expect(await deliveryRow(toGone.deliveryId)).toEqual({ status: "failed", attempts: 1, last_status_code: 410 });
    expect(await deliveryRow(toBusy.deliveryId)).toEqual({ status: "pending", attempts: 1, last_status_code: 429 });
    const attemptRows = await env.DB.prepare(
      `SELECT count(*) AS n FROM webhook_attempts WHERE delivery_id IN (SELECT value FROM json_each(?)) AND attempt = 1`,
    )
      .bind(JSON.stringify(all.map((d) => d.deliveryId)))
      .first<number>("n");
    expect(attemptRows).toBe(all.length);
    const endpoint = (id: string) =>
      env.DB.prepare("SELECT enabled, failing_since FROM webhook_endpoints WHERE id = ?")
        .bind(id)
        .first<{ enabled: number; failing_since: number | null }>();
    expect(await endpoint(fine.id)).toEqual({ enabled: 1, failing_since: null });
    expect(await endpoint(failing.id)).toMatchObject({ enabled: 1, failing_since: expect.any(Number) });
    expect((await endpoint(gone.id))!.enabled).toBe(0);
  });

  it("an endpoint's rate limit: the deliveries over it wait for a fresh message, spending no attempt", async () => {
    const ep = await endpointWith([200], { rateLimit: 2 });
    const deliveries = await Promise.all([pendingDelivery(ep.id), pendingDelivery(ep.id), pendingDelivery(ep.id)]);
    const result = await consume(deliveries.map((d) => ({ kind: "delivery" as const, id: d.deliveryId })));
    expect([result.retryMessages, result.explicitAcks.length]).toEqual([[], 3]);
    expect(ep.received).toHaveLength(2);
    const rows = await Promise.all(deliveries.map((d) => deliveryRow(d.deliveryId)));
    expect(rows.map((r) => r!.status).sort()).toEqual(["delivered", "delivered", "pending"]);
    const waiting = deliveries[rows.findIndex((r) => r!.status === "pending")]!;
    expect((await deliveryRow(waiting.deliveryId))!.attempts).toBe(0);
    // Sent again through the real queue a second later, in a fresh rate window.
    const delivered = await eventually(async () => {
      const row = await deliveryRow(waiting.deliveryId);
      return row!.status === "delivered" ? row : undefined;
    }, "the delivery that waited");
    expect(delivered).toEqual({ status: "delivered", attempts: 1, last_status_code: 200 });
    expect(ep.received).toHaveLength(3);
  });

  it("an endpoint's rate limit holds across batches attempted at the same time", async () => {
    const ep = await endpointWith([200], { rateLimit: 3 });
    const batches = await Promise.all(Array.from({ length: 5 }, () => Promise.all([pendingDelivery(ep.id), pendingDelivery(ep.id)])));
    // One moment for every batch, so all of them fall in one rate window.
    const now = Date.now();
    const outcomes = await Promise.all(
      batches.map((ds) =>
        attemptDeliveries(
          { env, db: createDb(env.DB) },
          ds.map((d) => d.deliveryId),
          { now },
        ),
      ),
    );
    const all = outcomes.flatMap((o) => [...o.values()]);
    expect(all.filter((o) => o.kind === "done")).toHaveLength(3);
    expect(all.filter((o) => o.kind === "later")).toEqual(Array(7).fill({ kind: "later", delaySeconds: 1 }));
    expect(ep.received).toHaveLength(3);
    const rows = await Promise.all(batches.flat().map((d) => deliveryRow(d.deliveryId)));
    expect(rows.filter((r) => r!.status === "pending" && r!.attempts === 0)).toHaveLength(7);
  });

  it("retries exhausted: the DLQ marks the delivery failed; recovering since then delivers it", async () => {
    const ep = await endpointWith([500, 200]);
    const { deliveryId } = await pendingDelivery(ep.id);
    const since = Date.now() - 1000;
    await consume([{ kind: "delivery", id: deliveryId }], 5);
    await worker.queue(
      createMessageBatch("plaza-webhooks-dlq", [
        { id: `dlq${++messages}`, timestamp: new Date(), attempts: 1, body: { kind: "delivery", id: deliveryId } },
      ]) as MessageBatch<unknown>,
      env,
    );
    expect((await deliveryRow(deliveryId))!.status).toBe("failed");

    const recovered = await call("POST", `/v1/orgs/${fx.orgId}/webhooks/endpoints/${ep.id}/recover`, {
      token: fx.admin.accessToken,
      body: { since },
    });
    expect(recovered.body).toEqual({ recovered: 1 });
    await eventually(async () => ((await deliveryRow(deliveryId))!.status === "delivered" ? true : undefined), "the recovered delivery");
    expect(ep.received).toHaveLength(2);
  });

  it("after a rotation both secrets sign for 24 hours; the new secret is shown once", async () => {
    const ep = await endpointWith([200]);
    const rotated = await call("POST", `/v1/orgs/${fx.orgId}/webhooks/endpoints/${ep.id}/rotate-secret`, { token: fx.admin.accessToken });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(ep.secret);
    expect(rotated.body.previousSecretExpiresAt).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    const { deliveryId } = await pendingDelivery(ep.id);
    await consume([{ kind: "delivery", id: deliveryId }]);
    const [request] = ep.received;
    expect(request!.headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    expect(verified(rotated.body.secret, request!).type).toBe("webhook.test");
    expect(verified(ep.secret, request!).type).toBe("webhook.test");
    const read = await call("GET", `/v1/orgs/${fx.orgId}/webhooks/endpoints/${ep.id}`, { token: fx.admin.accessToken });
    expect(read.body).not.toHaveProperty("secret");
    const stored = await env.DB.prepare("SELECT secret FROM webhook_endpoints WHERE id = ?").bind(ep.id).first<string>("secret");
    expect(stored).not.toContain(rotated.body.secret.slice(6));
  });
});

describe("endpoints", () => {
  it("an org's endpoint cap holds under a concurrent burst: twice the room left gets exactly the room, the rest 409 conflict", async () => {
    const owner = await createUser("capped");
    const org = await createOrg(owner);
    const room = 3;
    const now = Date.now();
    await env.DB.batch(
      Array.from({ length: MAX_ENDPOINTS_PER_ORG - room }, (_, i) =>
        env.DB.prepare(
          "INSERT INTO webhook_endpoints (id, org_id, url, description, enabled, secret, created_at, updated_at) VALUES (?, ?, 'https://hooks.example.com', '', 1, 'sealed', ?, ?)",
        ).bind(`whe_cap${i}_${org.id}`, org.id, now, now),
      ),
    );
    const answers = await Promise.all(
      Array.from({ length: 2 * room }, () =>
        call("POST", `/v1/orgs/${org.id}/webhooks/endpoints`, {
          token: owner.accessToken,
          body: { url: "https://hooks.example.com/burst" },
        }),
      ),
    );
    expect(statusCounts(answers)).toEqual({ 201: room, 409: room });
    for (const refused of answers.filter((a) => a.status === 409)) expect(errorCode(refused)).toBe("conflict");
    expect(await countRows("SELECT 1 FROM webhook_endpoints WHERE org_id = ?", org.id)).toBe(MAX_ENDPOINTS_PER_ORG);
    expect(await countRows("SELECT 1 FROM audit_events WHERE org_id = ? AND action = 'webhook_endpoint.created'", org.id)).toBe(room);
  });

  it("refuses bad input with 400 naming the field", async () => {
    const create = (body: Record<string, unknown>) =>
      call("POST", `/v1/orgs/${fx.orgId}/webhooks/endpoints`, { token: fx.admin.accessToken, body });
    for (const [body, field] of [
      [{ url: "ftp://hooks.example.com" }, "body.url"],
      [{ url: "not a url" }, "body.url"],
      [{ url: "http://10.0.0.8/hook" }, "body.url"],
      [{ url: "http://169.254.169.254/latest/meta-data" }, "body.url"],
      [{ url: "https://hooks.example.com", eventTypes: ["order.created", "order.exploded"] }, "body.eventTypes.1"],
      [{ url: "https://hooks.example.com", description: "x".repeat(501) }, "body.description"],
      [{ url: "https://hooks.example.com", rateLimit: 0 }, "body.rateLimit"],
    ] as const) {
      const res = await create(body);
      expect([res.status, errorCode(res)], JSON.stringify(body)).toEqual([400, "invalid_request"]);
      expect(Object.keys(res.body.error.fields ?? {}), JSON.stringify(res.body)).toContain(field);
    }
  });

  it("delivers only the event types an endpoint asked for, to enabled endpoints of the event's org; a disabled one's is skipped", async () => {
    const orders = await endpointWith([200], { eventTypes: ["order.created"] });
    const everything = await endpointWith([200]);
    const off = await endpointWith([200], { enabled: false });
    const db = createDb(env.DB);
    const event = await webhookEvent(db, fx.orgId, "item.published", {
      item: { id: "itm_00000000000000000000", slug: "x", name: "X" },
      publishedAt: Date.now(),
    });
    await event.insert;
    await consume([{ kind: "event", id: event.id }]);
    const deliveries = await env.DB.prepare("SELECT endpoint_id, status, attempts FROM webhook_deliveries WHERE event_id = ?")
      .bind(event.id)
      .all<{ endpoint_id: string; status: string; attempts: number }>();
    const to = (id: string) => deliveries.results.filter((d) => d.endpoint_id === id).map(({ status, attempts }) => ({ status, attempts }));
    expect(to(everything.id)).toHaveLength(1);
    expect(to(orders.id)).toEqual([]);
    // Recorded, not sent: recover finds it once the endpoint is enabled again (recovery.test.ts).
    expect(to(off.id)).toEqual([{ status: "skipped", attempts: 0 }]);
    // Dispatching again adds no delivery.
    await consume([{ kind: "event", id: event.id }]);
    expect(await countRows("SELECT 1 FROM webhook_deliveries WHERE event_id = ?", event.id)).toBe(deliveries.results.length);
  });
});
