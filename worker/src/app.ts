import { eq } from "drizzle-orm";
import { secureHeaders } from "hono/secure-headers";
import { api } from "./api";
import { authenticate } from "./auth/authenticate";
import { serveMedia } from "./catalog/media";
import { createDb } from "./db/client";
import { webhookEvents } from "./db/schema";
import { mailboxRoutes } from "./dev/mailbox";
import { downloadLinkRoutes } from "./downloads/routes";
import { apiDocsPage } from "./http/api-docs";
import { jsonBodyLimit } from "./http/body-limit";
import { notFoundOrMethodNotAllowed, onError } from "./http/error-handler";
import { createRouter } from "./http/openapi";
import { pageSecurity } from "./http/page-security";
import { requestContext } from "./http/request-context";
import { storefrontRoutes } from "./storefront/routes";
import { stripeCrypto, stripeFor } from "./stripe/client";
import { SIGNATURE_TOLERANCE_SECONDS } from "./stripe/webhook-routes";
import { webAppOr } from "./web-app/routes";
import { deliveryInsert } from "./webhooks/dispatch";
import { registerWebhookEvents } from "./webhooks/openapi";
import { enqueueDeliveries, webhookEvent } from "./webhooks/outbox";
import { endpointUrlProblem } from "./webhooks/url-guard";

/** Events (+ their deliveries) per D1 batch in the webhooks bench's producer: 3 statements each. */
const BENCH_WEBHOOK_WRITE_CHUNK = 50;

/** The composition root: cross-cutting middleware, then each domain's routes. */
export function createApp() {
  const app = createRouter();
  // The benchmarks' baselines, ahead of all middleware, enabled only by BENCH=1: a bare route,
  // a bare FTS5 MATCH on the same data the search endpoint reads, the Stripe signature check alone
  // (what webhook ingest does before it writes), how many Stripe events are recorded, by status,
  // and a bare R2 read streamed back (what a signed download sends, without its checks).
  app.get("/__bench/bare", (c, next) => (c.env.BENCH === "1" ? c.text("ok") : next()));
  app.get("/__bench/fts", async (c, next) => {
    if (c.env.BENCH !== "1") return next();
    const { results } = await c.env.DB.prepare("SELECT rowid FROM items_fts WHERE items_fts MATCH ? LIMIT 20")
      .bind(c.req.query("q") ?? "")
      .all();
    return c.json(results);
  });
  app.post("/__bench/stripe-verify", async (c, next) => {
    if (c.env.BENCH !== "1") return next();
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
  app.get("/__bench/stripe-events", async (c, next) => {
    if (c.env.BENCH !== "1") return next();
    const { results } = await c.env.DB.prepare("SELECT status, count(*) AS n FROM stripe_events GROUP BY status").all<{
      status: string;
      n: number;
    }>();
    return c.json(Object.fromEntries(results.map((r) => [r.status, r.n])));
  });
  app.get("/__bench/r2/:key{.+}", async (c, next) => {
    if (c.env.BENCH !== "1") return next();
    const object = await c.env.BUCKET.get(c.req.param("key"));
    if (!object) return c.text("no such object", 404);
    return new Response(object.body, { headers: { "content-type": "application/gzip", "content-length": String(object.size) } });
  });
  // The webhooks bench: `count` webhook.test events, each with one pending delivery to the
  // endpoint, written first (as sendTestEvent does, marked dispatched) and then queued with
  // enqueueDeliveries, so what it times is queue → consumer → signed fetch; a plain fetch loop of
  // the same kind of body to a URL (the baseline); and the endpoint's deliveries by status.
  app.post("/__bench/webhooks/enqueue", async (c, next) => {
    if (c.env.BENCH !== "1") return next();
    const { orgId, endpointId, count } = await c.req.json<{ orgId: string; endpointId: string; count: number }>();
    const db = createDb(c.env.DB);
    const writeStarted = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < count; i += BENCH_WEBHOOK_WRITE_CHUNK) {
      const now = Date.now();
      const rows = await Promise.all(
        Array.from({ length: Math.min(BENCH_WEBHOOK_WRITE_CHUNK, count - i) }, async () => {
          const event = await webhookEvent(db, orgId, "webhook.test", { endpointId, message: "A test event from Plaza" }, { now });
          const delivery = await deliveryInsert(db, { id: event.id, orgId }, endpointId, now);
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
    await enqueueDeliveries(c.env, ids);
    return c.json({
      queued: ids.length,
      writeMs: enqueueStartedAt - writeStarted,
      enqueueStartedAt,
      enqueueMs: Date.now() - enqueueStartedAt,
    });
  });
  app.post("/__bench/webhooks/direct", async (c, next) => {
    if (c.env.BENCH !== "1") return next();
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
  app.get("/__bench/webhooks/deliveries", async (c, next) => {
    if (c.env.BENCH !== "1") return next();
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
  app.use(requestContext());
  app.use(pageSecurity());
  app.use(secureHeaders({ crossOriginResourcePolicy: "same-origin" }));
  app.use("/v1/*", jsonBodyLimit());
  app.use("/v1/*", authenticate());

  app.get("/healthz", (c) => c.json({ ok: true }));
  app.get("/media/:key{.+}", (c) => serveMedia(c.env, c.req.param("key"), c.req.header("if-none-match")));
  app.route("/", downloadLinkRoutes);
  app.route("/", api);
  app.route("/", mailboxRoutes);
  app.route("/", storefrontRoutes);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "An access token from /v1/auth/login, or a personal API token (`plz_…`).",
  });
  registerWebhookEvents(app.openAPIRegistry);
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Plaza API",
      version: "1.0.0",
      description: "Errors are always `{ error: { code, message, requestId } }`; `code` is stable.",
    },
  });
  app.get("/docs", apiDocsPage);

  app.notFound(webAppOr(notFoundOrMethodNotAllowed(() => app.routes)));
  app.onError(onError);
  return app;
}

export type App = ReturnType<typeof createApp>;
