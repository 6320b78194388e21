/**
 * The benchmarks' baselines (bench/), mounted under /__bench only when BENCH=1 and ahead of all
 * middleware, so that a baseline measures the bare platform.
 */
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { createDb } from "../db/client";
import { webhookEvents } from "../db/schema";
import type { AppEnv, WebhookQueueMessage } from "../env";
import { stripeCrypto, stripeFor } from "../stripe";
import { SIGNATURE_TOLERANCE_SECONDS } from "../stripe-events";
import { consumeWebhooks } from "../webhooks/consumer";
import { deliveryInsert } from "../webhooks/dispatch";
import { enqueueDeliveries, webhookEvent } from "../webhooks/outbox";
import { endpointUrlProblem } from "../webhooks/url-guard";
import { d1Meter } from "./d1-meter";

/** Events (+ their deliveries) per D1 batch in the webhooks bench's producer: 3 statements each. */
const BENCH_WEBHOOK_WRITE_CHUNK = 50;

/**
 * Mounted first (app.ts): the D1 meter on every path (it does nothing without BENCH=1), then the
 * routes under /__bench.
 */
export const benchRoutes = new Hono<AppEnv>();
benchRoutes.use(d1Meter);

/** Without BENCH=1 these routes do not exist: the usual 404. */
const routes = new Hono<AppEnv>();
routes.use(async (c, next) => {
  if (c.env.BENCH !== "1") return c.notFound();
  await next();
});
// A bare route,
// a bare FTS5 MATCH on the same data the search endpoint reads, the Stripe signature check alone
// (what webhook ingest does before it writes), how many Stripe events are recorded, by status,
// a bare R2 read streamed back (what a signed download sends, without its checks), and a bare
// R2 multipart upload (what a tus upload writes, without its bookkeeping).
routes.get("/bare", (c) => c.text("ok"));
routes.get("/fts", async (c) => {
  const { results } = await c.env.DB.prepare("SELECT rowid FROM items_fts WHERE items_fts MATCH ? LIMIT 20")
    .bind(c.req.query("q") ?? "")
    .all();
  return c.json(results);
});
// The analytics bench's baseline: the analytics_daily rows the Analytics API reads for an org's
// range (its (org_id, day) index), summed per day in one query, with no auth, checks or shaping.
routes.get("/analytics-rows", async (c) => {
  const columns = [
    "gross_sales",
    "net_sales",
    "fees",
    "refunds",
    "disputes",
    "new_subscriptions",
    "churned_subscriptions",
    "mrr_change",
    "downloads",
    "licenses_change",
    "page_views",
    "checkouts_started",
    "checkouts_completed",
  ];
  const { results } = await c.env.DB.prepare(
    `SELECT day, ${columns.map((col) => `sum(${col}) AS ${col}`).join(", ")} FROM analytics_daily
     WHERE org_id = ? AND day >= ? AND day <= ? GROUP BY day ORDER BY day`,
  )
    .bind(c.req.query("orgId") ?? "", c.req.query("from") ?? "", c.req.query("to") ?? "")
    .all();
  return c.json(results);
});
routes.post("/stripe-verify", async (c) => {
  const raw = await c.req.text();
  try {
    await stripeFor(c.env).webhooks.constructEventAsync(
      raw,
      c.req.header("stripe-signature") ?? "",
      c.env.STRIPE_WEBHOOK_SECRET,
      SIGNATURE_TOLERANCE_SECONDS,
      stripeCrypto,
    );
  } catch {
    return c.text("bad signature", 400);
  }
  return c.text("ok");
});
routes.get("/stripe-events", async (c) => {
  const { results } = await c.env.DB.prepare("SELECT status, count(*) AS n FROM stripe_events GROUP BY status").all<{
    status: string;
    n: number;
  }>();
  return c.json(Object.fromEntries(results.map((r) => [r.status, r.n])));
});
routes.get("/r2/:key{.+}", async (c) => {
  const object = await c.env.BUCKET.get(c.req.param("key"));
  if (!object) return c.text("no such object", 404);
  return new Response(object.body, { headers: { "content-type": "application/gzip", "content-length": String(object.size) } });
});
// The uploads bench's baseline: the same bytes written by a bare R2 multipart upload, each part
// the body of one request streamed into uploadPart (no claims, no D1, no digest).
routes.post("/r2-multipart", async (c) => {
  const key = c.req.query("key") ?? "";
  const upload = await c.env.BUCKET.createMultipartUpload(key);
  return c.json({ key, uploadId: upload.uploadId });
});
routes.put("/r2-multipart/:partNumber", async (c) => {
  const upload = c.env.BUCKET.resumeMultipartUpload(c.req.query("key") ?? "", c.req.query("uploadId") ?? "");
  if (!c.req.raw.body) return c.text("no body", 400);
  return c.json(await upload.uploadPart(Number(c.req.param("partNumber")), c.req.raw.body));
});
routes.post("/r2-multipart/complete", async (c) => {
  const { key, uploadId, parts } = await c.req.json<{ key: string; uploadId: string; parts: R2UploadedPart[] }>();
  const object = await c.env.BUCKET.resumeMultipartUpload(key, uploadId).complete(parts);
  return c.json({ size: object.size });
});
routes.delete("/r2/:key{.+}", async (c) => {
  await c.env.BUCKET.delete(c.req.param("key"));
  return c.body(null, 204);
});
// The webhooks bench: `count` webhook.test events, each with one pending delivery to the
// endpoint, written first (as sendTestEvent does, marked dispatched) and then queued with
// enqueueDeliveries, so what it times is queue → consumer → signed fetch; a plain fetch loop of
// the same kind of body to a URL (the baseline); and the endpoint's deliveries by status.
routes.post("/webhooks/enqueue", async (c) => {
  const {
    orgId,
    endpointId,
    count,
    queue = true,
  } = await c.req.json<{ orgId: string; endpointId: string; count: number; queue?: boolean }>();
  const db = createDb(c.env.DB);
  const writeStarted = Date.now();
  const ids: string[] = [];
  for (let i = 0; i < count; i += BENCH_WEBHOOK_WRITE_CHUNK) {
    const now = Date.now();
    const rows = await Promise.all(
      Array.from({ length: Math.min(BENCH_WEBHOOK_WRITE_CHUNK, count - i) }, async () => {
        const event = await webhookEvent(db, orgId, "webhook.test", { endpointId, message: "A test event from Plaza" }, { now });
        const delivery = await deliveryInsert(db, { event: { id: event.id, orgId }, endpointId, now });
        ids.push(delivery.id);
        return [
          event.insert,
          db.update(webhookEvents).set({ dispatchedAt: now }).where(eq(webhookEvents.id, event.id)),
          delivery.insert,
        ] as const;
      }),
    );
    const [first, ...rest] = rows.flat();
    if (first) await db.batch([first, ...rest]);
  }
  const enqueueStartedAt = Date.now();
  // queue: false leaves them pending and answers their ids, for /webhooks/consume.
  if (!queue) return c.json({ ids, writeMs: enqueueStartedAt - writeStarted });
  await enqueueDeliveries(c.env, ids);
  return c.json({
    queued: ids.length,
    writeMs: enqueueStartedAt - writeStarted,
    enqueueStartedAt,
    enqueueMs: Date.now() - enqueueStartedAt,
  });
});
// The scale bench: the plaza-webhooks consumer itself, run on one batch of delivery messages in
// this request, so the D1 meter's headers say what a batch's deliveries cost in D1 (queue work
// is otherwise outside any request). The messages only count their acks and retries.
routes.post("/webhooks/consume", async (c) => {
  const { ids } = await c.req.json<{ ids: string[] }>();
  const outcomes = { acked: 0, retried: 0 };
  const messages = ids.map(
    (id): Message<WebhookQueueMessage> => ({
      id: `bench-${id}`,
      timestamp: new Date(),
      body: { kind: "delivery", id },
      attempts: 1,
      ack: () => void outcomes.acked++,
      retry: () => void outcomes.retried++,
    }),
  );
  const started = Date.now();
  const batch: MessageBatch<WebhookQueueMessage> = {
    queue: "plaza-webhooks",
    messages,
    metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } },
    ackAll: () => {
      for (const m of messages) m.ack();
    },
    retryAll: () => {
      for (const m of messages) m.retry();
    },
  };
  await consumeWebhooks(batch, c.env);
  return c.json({ ...outcomes, ms: Date.now() - started });
});
routes.post("/webhooks/direct", async (c) => {
  const { url, count, concurrency = 1 } = await c.req.json<{ url: string; count: number; concurrency?: number }>();
  const problem = endpointUrlProblem(url, c.env);
  if (problem) return c.text(`url ${problem}`, 400);
  const statuses: Record<string, number> = {};
  let sent = 0;
  const started = Date.now();
  const lane = async () => {
    while (sent < count) {
      sent++;
      const payload = JSON.stringify({
        type: "webhook.test",
        timestamp: new Date().toISOString(),
        data: { endpointId: "ep_bench", message: "A test event from Plaza" },
      });
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "Plaza-Webhooks/1" },
        body: payload,
        redirect: "manual",
      });
      await res.arrayBuffer();
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
  return c.json({ sent, elapsedMs: Date.now() - started, statuses });
});
routes.get("/webhooks/deliveries", async (c) => {
  const endpointId = c.req.query("endpointId") ?? "";
  const [byStatus, errors] = await c.env.DB.batch<{ status?: string; error?: string; n: number; attempts: number }>([
    c.env.DB.prepare(
      "SELECT status, count(*) AS n, sum(attempts) AS attempts FROM webhook_deliveries WHERE endpoint_id = ? GROUP BY status",
    ).bind(endpointId),
    c.env.DB.prepare(
      "SELECT last_error AS error, count(*) AS n, sum(attempts) AS attempts FROM webhook_deliveries WHERE endpoint_id = ? AND last_error IS NOT NULL GROUP BY last_error",
    ).bind(endpointId),
  ]);
  return c.json({
    ...Object.fromEntries(byStatus!.results.map((r) => [r.status, { n: r.n, attempts: r.attempts }])),
    ...(errors!.results.length ? { errors: Object.fromEntries(errors!.results.map((r) => [r.error, r.n])) } : {}),
  });
});

benchRoutes.route("/__bench", routes);
