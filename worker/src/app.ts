import { Scalar } from "@scalar/hono-api-reference";
import { secureHeaders } from "hono/secure-headers";
import { api } from "./api";
import { authenticate } from "./auth/authenticate";
import { mailboxRoutes } from "./dev/mailbox";
import { serveMedia } from "./catalog/media";
import { downloadLinkRoutes } from "./downloads/routes";
import { jsonBodyLimit } from "./http/body-limit";
import { notFoundOrMethodNotAllowed, onError } from "./http/error-handler";
import { createRouter } from "./http/openapi";
import { requestContext } from "./http/request-context";
import { storefrontRoutes } from "./storefront/routes";
import { stripeCrypto, stripeFor } from "./stripe/client";
import { SIGNATURE_TOLERANCE_SECONDS } from "./stripe/webhook-routes";

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
    const { results } = await c.env.DB.prepare("SELECT rowid FROM items_fts WHERE items_fts MATCH ? LIMIT 20").bind(c.req.query("q") ?? "").all();
    return c.json(results);
  });
  app.post("/__bench/stripe-verify", async (c, next) => {
    if (c.env.BENCH !== "1") return next();
    const raw = await c.req.text();
    try {
      await stripeFor(c.env).webhooks.constructEventAsync(raw, c.req.header("stripe-signature") ?? "", c.env.STRIPE_WEBHOOK_SECRET, SIGNATURE_TOLERANCE_SECONDS, stripeCrypto);
    } catch {
      return c.text("bad signature", 400);
    }
    return c.text("ok");
  });
  app.get("/__bench/stripe-events", async (c, next) => {
    if (c.env.BENCH !== "1") return next();
    const { results } = await c.env.DB.prepare("SELECT status, count(*) AS n FROM stripe_events GROUP BY status").all<{ status: string; n: number }>();
    return c.json(Object.fromEntries(results.map((r) => [r.status, r.n])));
  });
  app.get("/__bench/r2/:key{.+}", async (c, next) => {
    if (c.env.BENCH !== "1") return next();
    const object = await c.env.BUCKET.get(c.req.param("key"));
    if (!object) return c.text("no such object", 404);
    return new Response(object.body, { headers: { "content-type": "application/gzip", "content-length": String(object.size) } });
  });
  app.use(requestContext());
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
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Plaza API",
      version: "1.0.0",
      description: "Errors are always `{ error: { code, message, requestId } }`; `code` is stable.",
    },
  });
  app.get("/docs", Scalar({ url: "/openapi.json", pageTitle: "Plaza API" }));

  app.notFound(notFoundOrMethodNotAllowed(() => app.routes));
  app.onError(onError);
  return app;
}

export type App = ReturnType<typeof createApp>;
