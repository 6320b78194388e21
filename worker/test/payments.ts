import { env } from "cloudflare:workers";
import Stripe from "stripe";
import { expect } from "vitest";
import type { PricingT } from "../../shared/catalog";
import { insertItem } from "./catalog-fixtures";
import { eventually } from "./eventually";
import { createUser, type TestUser } from "./fixtures";
import { call } from "./http";
import { STRIPE_EMULATOR_ORIGIN } from "./network";

export { eventually };

/** The emulator's admin routes (`/_emulator/*`): no Stripe key, JSON in and out. */
export async function emulatorAdmin<T = unknown>(method: string, path: string, body?: unknown) {
  const res = await fetch(`${STRIPE_EMULATOR_ORIGIN}/_emulator${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`emulator ${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json<T>();
}

/** Submits one of the emulator's hosted forms (Pay, Complete onboarding) as a browser would. */
export async function submitHostedForm(pageUrl: string, action: string) {
  const res = await fetch(`${pageUrl}/${action}`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "",
  });
  expect(res.status, `${action} on ${pageUrl}: ${res.status}`).toBe(303);
  return res.headers.get("location")!;
}

/** Onboards the org's Stripe Express account through the hosted page and waits for Plaza to see it. */
export async function onboardSeller(owner: TestUser, orgId: string) {
  const link = await call("POST", `/v1/orgs/${orgId}/connect/onboarding`, { token: owner.accessToken });
  expect(link.status, JSON.stringify(link.body)).toBe(201);
  const back = await submitHostedForm(link.body.url, "complete");
  expect(back).toContain("/dashboard/payouts?return=1");
  await eventually(async () => {
    const row = await env.DB.prepare("SELECT charges_enabled FROM connect_accounts WHERE org_id = ?")
      .bind(orgId)
      .first<{ charges_enabled: number }>();
    return row?.charges_enabled === 1 ? true : undefined;
  }, "account.updated to enable charges");
}

export async function paidItem(orgId: string, pricing: Exclude<PricingT, { model: "free" }>) {
  return insertItem(orgId, { pricing });
}

/** Opens a checkout as `buyer` (or as a guest with `email`) and pays on the hosted page. */
export async function buy(slug: string, who: { buyer?: TestUser; email?: string }) {
  const res = await call("POST", `/v1/items/${slug}/checkout`, {
    token: who.buyer?.accessToken,
    body: who.email ? { email: who.email } : {},
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const success = await submitHostedForm(res.body.url, "pay");
  return { checkoutId: res.body.checkoutId as string, url: res.body.url as string, success };
}

export const countRows = async (sql: string, ...params: unknown[]) =>
  (await env.DB.prepare(`SELECT count(*) AS n FROM (${sql})`)
    .bind(...params)
    .first<{ n: number }>())!.n;

/** Waits until every Stripe event Plaza recorded is processed (or ignored): the queue is drained. */
export async function stripeEventsSettled() {
  await eventually(
    async () => ((await countRows("SELECT 1 FROM stripe_events WHERE status = 'received'")) === 0 ? true : undefined),
    "stripe events to be processed",
  );
}

/** The official SDK pointed at the emulator, for a test's own calls (not Plaza's). */
export function testStripe(): Stripe {
  return new Stripe("sk_test_worker_tests", {
    httpClient: Stripe.createFetchHttpClient((i, init) => fetch(i, init)),
    protocol: "http",
    host: "stripe.emulator",
    port: 80,
    maxNetworkRetries: 0,
  });
}

interface SignOptions {
  connect?: boolean;
  timestamp?: number;
  secret?: string;
}

/** A `Stripe-Signature` header for `payload`, made by the SDK's own helper with the endpoint's secret. */
export async function signatureFor(payload: string, options: SignOptions = {}) {
  const testEnv = env as unknown as { STRIPE_WEBHOOK_SECRET: string; STRIPE_CONNECT_WEBHOOK_SECRET: string };
  const secret = options.secret ?? (options.connect ? testEnv.STRIPE_CONNECT_WEBHOOK_SECRET : testEnv.STRIPE_WEBHOOK_SECRET);
  return testStripe().webhooks.generateTestHeaderStringAsync({
    payload,
    secret,
    timestamp: options.timestamp,
    cryptoProvider: Stripe.createSubtleCryptoProvider(),
  });
}

/**
 * Unplugs Plaza's webhook endpoints at the emulator (the platform's, the Connect one, or both), so
 * the test delivers each event itself (`signedDelivery`), in the order and as often as it wants.
 */
export async function unplugStripeWebhooks(which: "platform" | "connect" | "both") {
  const { data } = await emulatorAdmin<{ data: { id: string; connect: boolean }[] }>("GET", "/webhook_endpoints");
  const unplugged = data.filter((e) => which === "both" || e.connect === (which === "connect"));
  for (const endpoint of unplugged) await emulatorAdmin("DELETE", `/webhook_endpoints/${endpoint.id}`);
}

/** Delivers `payload` signed as Stripe would to the platform (or Connect) endpoint. */
export async function signedDelivery(payload: string, options: SignOptions = {}, body = payload) {
  const path = options.connect ? "/v1/stripe/connect-webhooks" : "/v1/stripe/webhooks";
  return call("POST", path, { rawBody: body, headers: { "stripe-signature": await signatureFor(payload, options) } });
}

/** The buyer's (first) subscription as the API lists it. */
export const subscriptionOf = async (buyer: TestUser) =>
  (await call("GET", "/v1/me/subscriptions", { token: buyer.accessToken })).body.data[0];
export const ordersOf = (buyer: TestUser) => countRows("SELECT 1 FROM orders WHERE user_id = ?", buyer.id);
/** The buyer's Stripe customer id (for the emulator's payment-behaviour switch). */
export const customerOf = async (buyer: TestUser) =>
  (await env.DB.prepare("SELECT customer_id FROM stripe_customers WHERE email = ?").bind(buyer.email).first<{ customer_id: string }>())!
    .customer_id;

/** A new buyer subscribed to a new monthly item of `orgId` ($12), once its first order is in. */
export async function subscribeNewBuyer(orgId: string, label: string) {
  const item = await paidItem(orgId, { model: "subscription", amount: 1200, currency: "usd", interval: "month" });
  const buyer = await createUser(label);
  const { checkoutId } = await buy(item.slug, { buyer });
  const sub = await eventually(async () => {
    const s = await subscriptionOf(buyer);
    return s && (await ordersOf(buyer)) === 1 ? s : undefined;
  }, "the subscription and its first order");
  await stripeEventsSettled();
  return { item, buyer, sub, checkoutId };
}

/** The buyer's card starts failing and the clock passes the renewal: the subscription once it is past due. */
export async function failRenewal(buyer: TestUser, days = 31) {
  await emulatorAdmin("POST", `/customers/${await customerOf(buyer)}/payment_behavior`, { fail: true });
  await emulatorAdmin("POST", "/clock/advance", { seconds: days * 86_400 });
  const pastDue = await eventually(async () => {
    const s = await subscriptionOf(buyer);
    return s?.status === "past_due" ? s : undefined;
  }, "past_due");
  await stripeEventsSettled();
  return pastDue;
}

/**
 * For tests that unplugged Plaza's platform endpoint and deliver Stripe's events themselves: each
 * call delivers every event this sender has not delivered yet, oldest first (or newest first), waits
 * until Plaza processed them, and returns their types.
 */
export function platformEventSender() {
  const delivered = new Set<string>();
  return async (order: "oldest first" | "newest first" = "oldest first") => {
    const events: Stripe.Event[] = [];
    for await (const event of testStripe().events.list({ limit: 100 })) if (!delivered.has(event.id)) events.push(event);
    for (const event of order === "oldest first" ? events.reverse() : events) {
      const res = await signedDelivery(JSON.stringify(event, null, 2));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      delivered.add(event.id);
    }
    await stripeEventsSettled();
    return events.map((e) => e.type);
  };
}
