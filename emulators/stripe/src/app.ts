import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { admin } from "./admin";
import { requireSecretKey } from "./auth";
import { checkoutPage } from "./checkout-page";
import type { AppEnv } from "./context";
import { errorResponse, invalidRequest, StripeApiError } from "./errors";
import { decodeForm, decodeFormString } from "./form";
import { fingerprint, remember, replay } from "./idempotency";
import { randomToken } from "./ids";
import { charges, paymentIntents } from "./resources/payments";
import { checkoutSessions } from "./resources/checkout-sessions";
import { customers } from "./resources/customers";
import { events } from "./resources/events";
import { prices } from "./resources/prices";
import { products } from "./resources/products";
import { refunds } from "./resources/refunds";
import { subscriptions } from "./resources/subscriptions";

/** Stripe tags every answer with a request id; the SDK reports it on errors. */
const requestId = createMiddleware(async (c, next) => {
  await next();
  c.header("Request-Id", `req_${randomToken(14)}`);
});

/** GET params come in the query string, POST params in a form-encoded body; both in bracket form. */
const readParams = createMiddleware<AppEnv>(async (c, next) => {
  const params = c.req.method === "GET" || c.req.method === "DELETE"
    ? decodeForm(new URL(c.req.url).searchParams.entries())
    : decodeFormString(await bodyText(c.req.raw));
  const expand = params.expand;
  if (expand !== undefined && (!Array.isArray(expand) || expand.some((path) => typeof path !== "string"))) {
    throw invalidRequest("Invalid array", "expand");
  }
  c.set("params", params);
  await next();
});

/** Read as bytes: workerd warns when `.text()` is called on a form-encoded body. */
const bodyText = async (request: Request) => new TextDecoder().decode(await request.arrayBuffer());

/** Same `Idempotency-Key` and same params → the saved response; different params → idempotency_error. */
const idempotent = createMiddleware<AppEnv>(async (c, next) => {
  const key = c.req.header("idempotency-key");
  if (c.req.method !== "POST" || !key) return next();
  const print = fingerprint(c.req.method, c.req.path, c.var.params);
  const saved = replay(c.env.store, key, print);
  if (saved) {
    return c.body(saved.body, saved.status as 200, { "content-type": "application/json", "Idempotent-Replayed": "true" });
  }
  await next();
  remember(c.env.store, key, print, { status: c.res.status, body: await c.res.clone().text() });
});

export function createApp() {
  const app = new Hono<AppEnv>();
  app.onError((err, c) => {
    if (err instanceof StripeApiError) return errorResponse(c, err);
    console.error("stripe emulator error", err);
    return errorResponse(c, new StripeApiError(500, { type: "api_error", message: "An unknown error occurred in the Stripe emulator." }));
  });
  app.notFound((c) =>
    errorResponse(c, invalidRequest(`Unrecognized request URL (${c.req.method}: ${c.req.path}).`)),
  );
  app.use(requestId);
  app.get("/", (c) => c.json({ emulator: "stripe", docs: "emulators/stripe/README.md" }));
  app.route("/checkout", checkoutPage);
  app.route("/_emulator", admin);
  app.use("/v1/*", requireSecretKey, readParams, idempotent);
  app.route("/v1/customers", customers);
  app.route("/v1/products", products);
  app.route("/v1/prices", prices);
  app.route("/v1/checkout/sessions", checkoutSessions);
  app.route("/v1/payment_intents", paymentIntents);
  app.route("/v1/charges", charges);
  app.route("/v1/refunds", refunds);
  app.route("/v1/subscriptions", subscriptions);
  app.route("/v1/events", events);
  return app;
}
