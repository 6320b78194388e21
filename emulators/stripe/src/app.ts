import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { admin } from "./admin";
import { requireSecretKey } from "./auth";
import { billingPortalPage } from "./billing-portal-page";
import { checkoutPage } from "./checkout-page";
import { actAsAccount } from "./connect";
import { connectPages } from "./connect-pages";
import type { AppEnv } from "./context";
import { errorResponse, invalidRequest, StripeApiError } from "./errors";
import { injectFaults } from "./faults";
import { decodeForm, decodeFormString } from "./form";
import { claimOrReplay, fingerprint, remember } from "./idempotency";
import { randomToken } from "./ids";
import { accountLinks } from "./resources/account-links";
import { accounts, currentAccount } from "./resources/accounts";
import { applicationFees } from "./resources/application-fees";
import { billingPortalSessions } from "./resources/billing-portal";
import { checkoutSessions } from "./resources/checkout-sessions";
import { coupons } from "./resources/coupons";
import { customers } from "./resources/customers";
import { disputes } from "./resources/disputes";
import { events } from "./resources/events";
import { invoicePayments } from "./resources/invoice-payments";
import { invoices } from "./resources/invoices";
import { meterEvents } from "./resources/meter-events";
import { meters } from "./resources/meters";
import { charges, paymentIntents } from "./resources/payments";
import { payouts } from "./resources/payouts";
import { prices } from "./resources/prices";
import { products } from "./resources/products";
import { promotionCodes } from "./resources/promotion-codes";
import { refunds } from "./resources/refunds";
import { subscriptions } from "./resources/subscriptions";
import { taxRatesApi } from "./resources/tax-rates";
import { testClocks } from "./resources/test-clocks";
import { webhookEndpoints } from "./resources/webhook-endpoints";

/** Stripe tags every answer with a request id; the SDK reports it on errors. */
const requestId = createMiddleware(async (c, next) => {
  await next();
  c.header("Request-Id", `req_${randomToken(14)}`);
});

/** GET params come in the query string, POST params in a form-encoded body; both in bracket form. */
const readParams = createMiddleware<AppEnv>(async (c, next) => {
  const params =
    c.req.method === "GET" || c.req.method === "DELETE"
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

/**
 * Same `Idempotency-Key` and same params → the saved response; different params → idempotency_error;
 * the same key while its first request still runs → 409. Keys belong to an account, as in Stripe:
 * the same key under another `Stripe-Account` is a new key.
 */
const idempotent = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("idempotency-key");
  if (c.req.method !== "POST" || !header) return next();
  const key = c.var.store.account ? `${c.var.store.account}:${header}` : header;
  const print = fingerprint(c.req.method, c.req.path, c.var.params);
  const saved = claimOrReplay(c.var.store, key, print);
  if (saved) {
    return c.body(saved.body, saved.status as 200, { "content-type": "application/json", "Idempotent-Replayed": "true" });
  }
  await next();
  remember(c.var.store, key, print, { status: c.res.status, body: await c.res.clone().text() });
});

export function createApp() {
  const app = new Hono<AppEnv>();
  app.onError((err, c) => {
    if (err instanceof StripeApiError) return errorResponse(c, err);
    console.error("stripe emulator error", err);
    return errorResponse(c, new StripeApiError(500, { type: "api_error", message: "An unknown error occurred in the Stripe emulator." }));
  });
  app.notFound((c) => errorResponse(c, invalidRequest(`Unrecognized request URL (${c.req.method}: ${c.req.path}).`)));
  app.use(requestId);
  // Every route starts with the platform's view; a Stripe-Account header narrows it for /v1.
  app.use(async (c, next) => {
    c.set("store", c.env.store);
    await next();
  });
  app.get("/", (c) => c.json({ emulator: "stripe", docs: "emulators/stripe/README.md" }));
  app.route("/checkout", checkoutPage);
  app.route("/connect", connectPages);
  app.route("/_emulator", admin);
  app.route("/billing_portal", billingPortalPage);
  app.use("/v1/*", requireSecretKey, injectFaults, readParams, actAsAccount, idempotent);
  app.route("/v1/customers", customers);
  app.route("/v1/products", products);
  app.route("/v1/prices", prices);
  app.route("/v1/checkout/sessions", checkoutSessions);
  app.route("/v1/coupons", coupons);
  app.route("/v1/promotion_codes", promotionCodes);
  app.route("/v1/payment_intents", paymentIntents);
  app.route("/v1/charges", charges);
  app.route("/v1/application_fees", applicationFees);
  app.route("/v1/refunds", refunds);
  app.route("/v1/disputes", disputes);
  app.route("/v1/subscriptions", subscriptions);
  app.route("/v1/events", events);
  app.route("/v1/invoices", invoices);
  app.route("/v1/tax_rates", taxRatesApi);
  app.route("/v1/invoice_payments", invoicePayments);
  app.route("/v1/accounts", accounts);
  app.route("/v1/account", currentAccount);
  app.route("/v1/account_links", accountLinks);
  app.route("/v1/payouts", payouts);
  app.route("/v1/billing/meters", meters);
  app.route("/v1/billing/meter_events", meterEvents);
  app.route("/v1/test_helpers/test_clocks", testClocks);
  app.route("/v1/webhook_endpoints", webhookEndpoints);
  app.route("/v1/billing_portal/sessions", billingPortalSessions);
  return app;
}
