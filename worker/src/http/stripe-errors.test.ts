/**
 * Every Stripe error Plaza can meet, driven out of the emulator through the official SDK, and what
 * Plaza makes of it: the API's status and code (http/stripe-errors.ts), and whether the queue consumers
 * that call Stripe try again. The routes' own cases are in orders/refunds.test.ts and checkout.test.ts.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Hono } from "hono";
import Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import { createUser, type OrgFixture, orgFixture } from "../../test/fixtures";
import { insertSubscription } from "../../test/payment-fixtures";
import { countRows, emulatorAdmin, submitHostedForm, testStripe, unplugStripeWebhooks } from "../../test/payments";
import { newId } from "../crypto/random";
import type { AppEnv } from "../env";
import worker from "../index";
import { onError } from "./error-handler";
import { worthRetrying } from "./stripe-errors";

const stripe = testStripe();
let fx: OrgFixture;

beforeAll(async () => {
  fx = await orgFixture();
  // Nothing here is Plaza's: its endpoints would only be sent events for objects it does not know.
  await unplugStripeWebhooks("both");
});

/** A paid Checkout of `price` for a new customer; its payment intent or subscription. */
async function paidCheckout(price: Stripe.Price, mode: "payment" | "subscription") {
  const customer = await stripe.customers.create({ email: `errors-${crypto.randomUUID()}@example.test` });
  const session = await stripe.checkout.sessions.create({
    mode,
    customer: customer.id,
    line_items: [{ price: price.id, quantity: 1 }],
    success_url: "http://plaza.test/done",
    cancel_url: "http://plaza.test/cancel",
  });
  await submitHostedForm(session.url!, "pay");
  return { customer: customer.id, session: await stripe.checkout.sessions.retrieve(session.id) };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(() => expect.unreachable("Stripe should have refused")).catch((e: unknown) => e as Stripe.errors.StripeError);
/** What the API answers when a handler meets `err` (the app's own error handler), and whether a consumer retries it. */
async function answer(err: Stripe.errors.StripeError) {
  const app = new Hono<AppEnv>().get("/", () => {
    throw err;
  });
  app.onError(onError);
  const res = await app.request("/");
  const body = (await res.json()) as { error: { code: string } };
  return { status: res.status, code: body.error.code, retry: worthRetrying(err), retryAfter: res.headers.get("retry-after") ?? undefined };
}

describe("each Stripe error maps to one status and code", () => {
  it("refusals of a refund, of a checkout and of a reused key: 409s Plaza does not retry", async () => {
    const product = await stripe.products.create({ name: "Errors" });
    const price = await stripe.prices.create({ product: product.id, currency: "usd", unit_amount: 3000 });
    const { session } = await paidCheckout(price, "payment");
    const paymentIntent = session.payment_intent as string;
    await stripe.refunds.create({ payment_intent: paymentIntent, amount: 2000 });

    const tooLarge = await failure(stripe.refunds.create({ payment_intent: paymentIntent, amount: 1001 }));
    expect(await answer(tooLarge)).toEqual({ status: 409, code: "refund_too_large", retry: false, retryAfter: undefined });
    await stripe.refunds.create({ payment_intent: paymentIntent });
    const already = await failure(stripe.refunds.create({ payment_intent: paymentIntent }));
    expect(await answer(already)).toMatchObject({ status: 409, code: "already_refunded", retry: false });
    const missing = await failure(stripe.refunds.create({ payment_intent: "pi_not_at_stripe" }));
    expect(await answer(missing)).toMatchObject({ status: 409, code: "payment_record_missing", retry: false });

    const notOnboarded = await stripe.accounts.create({ type: "express" });
    const disabled = await failure(
      stripe.checkout.sessions.create({
        mode: "payment",
        line_items: [{ price: price.id, quantity: 1 }],
        success_url: "http://plaza.test/done",
        payment_intent_data: { application_fee_amount: 100, transfer_data: { destination: notOnboarded.id } },
      }),
    );
    expect(await answer(disabled)).toMatchObject({ status: 409, code: "charges_disabled", retry: false });

    const key = `errors-${crypto.randomUUID()}`;
    await stripe.customers.create({ email: "first@example.test" }, { idempotencyKey: key });
    const reused = await failure(stripe.customers.create({ email: "second@example.test" }, { idempotencyKey: key }));
    expect(reused).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(await answer(reused)).toMatchObject({ status: 409, code: "idempotency_conflict", retry: false });

    const invalid = await failure(stripe.refunds.create({}));
    expect(await answer(invalid)).toMatchObject({ status: 502, code: "payment_rejected", retry: false });
  });

  it("a declined card is 402 payment_failed", async () => {
    const product = await stripe.products.create({ name: "Errors monthly" });
    const price = await stripe.prices.create({ product: product.id, currency: "usd", unit_amount: 900, recurring: { interval: "month" } });
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: Math.floor(Date.now() / 1000) });
    const customer = await stripe.customers.create({ email: "declined@example.test", test_clock: clock.id });
    const session = await stripe.checkout.sessions.create({
      mode: "subscription",
      customer: customer.id,
      line_items: [{ price: price.id, quantity: 1 }],
      success_url: "http://plaza.test/done",
    });
    await submitHostedForm(session.url!, "pay");
    await emulatorAdmin("POST", `/customers/${customer.id}/payment_behavior`, { fail: true });
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: clock.frozen_time + 32 * 86_400 });
    const [open] = (await stripe.invoices.list({ customer: customer.id, status: "open" })).data;

    const declined = await failure(stripe.invoices.pay(open!.id!));
    expect(declined).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(await answer(declined)).toMatchObject({ status: 402, code: "payment_failed", retry: false });
  });

  it("trouble on Stripe's side: 503 with Retry-After when rate limited, 503 for a broken key, 502 for an outage; all retried", async () => {
    const cases = [
      ["rate_limit", Stripe.errors.StripeRateLimitError, { status: 503, code: "payments_busy", retry: true, retryAfter: "2" }],
      [
        "expired_key",
        Stripe.errors.StripeAuthenticationError,
        { status: 503, code: "payments_unavailable", retry: true, retryAfter: undefined },
      ],
      [
        "missing_permission",
        Stripe.errors.StripePermissionError,
        { status: 503, code: "payments_unavailable", retry: true, retryAfter: undefined },
      ],
      ["api_error", Stripe.errors.StripeAPIError, { status: 502, code: "upstream_error", retry: true, retryAfter: undefined }],
    ] as const;
    for (const [kind, errorClass, expected] of cases) {
      await emulatorAdmin("POST", "/faults", { kind, path: "/v1/customers" });
      const err = await failure(stripe.customers.create({ email: `${kind}@example.test` }));
      expect(err, kind).toBeInstanceOf(errorClass);
      expect(await answer(err), kind).toEqual(expected);
    }
    // Nobody answering at all.
    const unreachable = new Stripe("sk_test_unreachable", {
      httpClient: Stripe.createFetchHttpClient(),
      protocol: "http",
      host: "127.0.0.1",
      port: 1,
      maxNetworkRetries: 0,
    });
    const lost = await failure(unreachable.customers.list());
    expect(lost).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(await answer(lost)).toEqual({ status: 502, code: "upstream_error", retry: true, retryAfter: undefined });
  });
});

describe("queue consumers that call Stripe", () => {
  /** A `charge.refunded` Plaza recorded for a charge, as the webhook route leaves it. */
  async function recordedChargeRefunded(chargeId: string) {
    const id = `evt_${crypto.randomUUID().replaceAll("-", "")}`;
    const payload = { id, object: "event", type: "charge.refunded", data: { object: { id: chargeId, object: "charge" } } };
    await env.DB.prepare(
      "INSERT INTO stripe_events (id, type, payload, status, attempts, received_at) VALUES (?, 'charge.refunded', ?, 'received', 0, ?)",
    )
      .bind(id, JSON.stringify(payload), Date.now())
      .run();
    return id;
  }

  async function consume(queue: string, body: unknown) {
    const batch = createMessageBatch(queue, [{ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env as never);
    return getQueueResult(batch, ctx);
  }

  it("Stripe events: an object Stripe does not have fails the event at once; an outage is retried", async () => {
    const gone = await recordedChargeRefunded("ch_not_at_stripe");
    const refused = await consume("plaza-stripe-events", { eventId: gone });
    expect(refused.retryMessages).toEqual([]);
    expect(await env.DB.prepare("SELECT status, attempts FROM stripe_events WHERE id = ?").bind(gone).first()).toEqual({
      status: "failed",
      attempts: 1,
    });

    const flaky = await recordedChargeRefunded("ch_during_outage");
    await emulatorAdmin("POST", "/faults", { kind: "api_error", path: "/v1/charges/ch_during_outage", times: 3 });
    const outage = await consume("plaza-stripe-events", { eventId: flaky });
    expect(outage.retryMessages).toHaveLength(1);
    expect(await env.DB.prepare("SELECT status FROM stripe_events WHERE id = ?").bind(flaky).first()).toEqual({ status: "received" });
  });

  it("usage reports: a meter Stripe does not have is not retried; a rate limit is", async () => {
    const buyer = await createUser("usage-errors");
    const subscriptionId = await insertSubscription(fx.orgId, buyer.id);
    const sub = (await env.DB.prepare("SELECT item_id FROM subscriptions WHERE id = ?").bind(subscriptionId).first<{ item_id: string }>())!;
    await env.DB.prepare(
      "INSERT INTO stripe_prices (price_id, item_id, pricing_key, product_id, meter_event_name, created_at) VALUES (?, ?, 'metered', 'prod_x', 'plaza_usage_not_at_stripe', ?)",
    )
      .bind(`price_${crypto.randomUUID()}`, sub.item_id, Date.now())
      .run();
    const record = async () => {
      const id = newId("usageRecord");
      await env.DB.prepare(
        "INSERT INTO usage_records (id, subscription_id, item_id, user_id, client_key, quantity, credits_used, recorded_at) VALUES (?, ?, ?, ?, ?, 5, 0, ?)",
      )
        .bind(id, subscriptionId, sub.item_id, buyer.id, id, Date.now())
        .run();
      return id;
    };

    const refusedId = await record();
    expect((await consume("plaza-usage", { usageRecordId: refusedId })).retryMessages).toEqual([]);
    expect(await countRows("SELECT 1 FROM usage_records WHERE id = ? AND reported_at IS NULL", refusedId)).toBe(1);

    await emulatorAdmin("POST", "/faults", { kind: "rate_limit", path: "/v1/billing/meter_events" });
    expect((await consume("plaza-usage", { usageRecordId: await record() })).retryMessages).toHaveLength(1);
  });
});
