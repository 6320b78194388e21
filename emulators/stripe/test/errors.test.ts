/**
 * The errors an app must tell apart, as Stripe answers them and as the official SDK raises them:
 * refusals of a refund, reused and concurrent idempotency keys, and trouble on Stripe's side
 * (switched on through `/_emulator/faults`).
 */
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { admin, EMULATOR_ORIGIN, emulator, emulatorStripe, payCheckout } from "./sdk";

const stripe = emulatorStripe();

/** A paid $50.00 charge (no destination: the refund rules are the same). */
async function paidPaymentIntent(): Promise<string> {
  const customer = await stripe.customers.create({ email: "refunds@example.test" });
  const product = await stripe.products.create({ name: "Refundable" });
  const price = await stripe.prices.create({ product: product.id, currency: "usd", unit_amount: 5000 });
  const session = await stripe.checkout.sessions.create({
    mode: "payment",
    customer: customer.id,
    line_items: [{ price: price.id, quantity: 1 }],
    success_url: "https://plaza.test/done",
    cancel_url: "https://plaza.test/cancelled",
  });
  expect((await payCheckout(session.id)).status).toBe(303);
  return (await stripe.checkout.sessions.retrieve(session.id)).payment_intent as string;
}

/** The raw answer, for the wire shape the SDK hides. */
async function rawPost(path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await emulator.fetch(`${EMULATOR_ORIGIN}${path}`, {
    method: "POST",
    headers: { authorization: "Bearer sk_test_placeholder", "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as { error?: Record<string, unknown> } & Record<string, unknown> };
}

describe("refusing a refund", () => {
  it("amount_too_large when more is asked than is left, charge_already_refunded when nothing is", async () => {
    const paymentIntent = await paidPaymentIntent();
    await stripe.refunds.create({ payment_intent: paymentIntent, amount: 3000 });

    const tooLarge = await stripe.refunds.create({ payment_intent: paymentIntent, amount: 2001 }).catch((e) => e);
    expect(tooLarge).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(tooLarge).toMatchObject({ statusCode: 400, code: "amount_too_large", param: "amount" });
    const raw = await rawPost("/v1/refunds", { payment_intent: paymentIntent, amount: "2001" });
    expect(raw).toEqual({
      status: 400,
      body: {
        error: {
          type: "invalid_request_error",
          code: "amount_too_large",
          param: "amount",
          message: "Refund amount (2001) is greater than unrefunded amount on charge (2000)",
        },
      },
    });

    await stripe.refunds.create({ payment_intent: paymentIntent });
    const already = await stripe.refunds.create({ payment_intent: paymentIntent, amount: 1 }).catch((e) => e);
    expect(already).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(already).toMatchObject({ statusCode: 400, code: "charge_already_refunded" });
    expect(already.message).toMatch(/^Charge ch_\w+ has already been refunded\.$/);
    expect((await stripe.refunds.list({ payment_intent: paymentIntent })).data.map((r) => r.amount)).toEqual([2000, 3000]);
  });

  it("resource_missing, naming the param, for a payment intent Stripe does not have", async () => {
    const missing = await stripe.refunds.create({ payment_intent: "pi_nope" }).catch((e) => e);
    expect(missing).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(missing).toMatchObject({
      statusCode: 400,
      code: "resource_missing",
      param: "payment_intent",
      message: "No such payment_intent: 'pi_nope'",
    });
  });
});

describe("idempotency keys on refunds", () => {
  it("replays the same key and params, refuses other params with StripeIdempotencyError", async () => {
    const paymentIntent = await paidPaymentIntent();
    const key = `refund-${crypto.randomUUID()}`;
    const first = await stripe.refunds.create({ payment_intent: paymentIntent, amount: 1000 }, { idempotencyKey: key });
    const again = await stripe.refunds.create({ payment_intent: paymentIntent, amount: 1000 }, { idempotencyKey: key });
    expect(again.id).toBe(first.id);

    const other = await stripe.refunds.create({ payment_intent: paymentIntent, amount: 1500 }, { idempotencyKey: key }).catch((e) => e);
    expect(other).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(other).toMatchObject({ statusCode: 400, rawType: "idempotency_error" });
    expect((await stripe.refunds.list({ payment_intent: paymentIntent })).data).toHaveLength(1);
  });

  it("runs concurrent requests with one key once: the others wait (409, retried by the SDK) and get the same refund", async () => {
    const paymentIntent = await paidPaymentIntent();
    const key = `refund-${crypto.randomUUID()}`;
    const retrying = new Stripe("sk_test_placeholder", {
      httpClient: Stripe.createFetchHttpClient((input, init) => emulator.fetch(new Request(input as string, init))),
      protocol: "http",
      host: "stripe.emulator",
      port: 80,
      maxNetworkRetries: 5,
    });
    const refunds = await Promise.all(
      Array.from({ length: 6 }, () => retrying.refunds.create({ payment_intent: paymentIntent, amount: 700 }, { idempotencyKey: key })),
    );
    expect(new Set(refunds.map((r) => r.id)).size).toBe(1);
    expect((await stripe.refunds.list({ payment_intent: paymentIntent })).data).toHaveLength(1);
  });
});

describe("trouble on Stripe's side (/_emulator/faults)", () => {
  it("answers each fault as Stripe does, raised as the SDK's error class", async () => {
    const cases: [string, new (...args: never[]) => Error, number, Record<string, unknown>][] = [
      ["rate_limit", Stripe.errors.StripeRateLimitError, 429, { code: "rate_limit", rawType: "invalid_request_error" }],
      ["api_error", Stripe.errors.StripeAPIError, 500, { rawType: "api_error" }],
      ["expired_key", Stripe.errors.StripeAuthenticationError, 401, { code: "api_key_expired" }],
      ["missing_permission", Stripe.errors.StripePermissionError, 403, { rawType: "invalid_request_error" }],
    ];
    for (const [kind, errorClass, statusCode, fields] of cases) {
      await admin("/faults", { kind, path: "/v1/customers" });
      const error = await stripe.customers.create({ email: `${kind}@example.test` }).catch((e) => e);
      expect(error, kind).toBeInstanceOf(errorClass);
      expect(error, kind).toMatchObject({ statusCode, ...fields });
      expect(error.message, kind).not.toBe("");
    }
    expect(await stripe.customers.create({ email: "fine@example.test" })).toMatchObject({ object: "customer" });
  });

  it("hits only the matching method and path, as many times as asked, and saves nothing under the request's key", async () => {
    await admin("/faults", { kind: "api_error", method: "POST", path: "/v1/products", times: 2 });
    expect((await stripe.products.list({ limit: 1 })).object).toBe("list");
    expect(await stripe.customers.create({ email: "other-path@example.test" })).toMatchObject({ object: "customer" });

    const key = `product-${crypto.randomUUID()}`;
    for (let i = 0; i < 2; i++) {
      const raw = await rawPost("/v1/products", { name: "Flaky" }, { "idempotency-key": key });
      expect(raw).toMatchObject({ status: 500, body: { error: { type: "api_error" } } });
    }
    const product = await stripe.products.create({ name: "Flaky" }, { idempotencyKey: key });
    expect(product).toMatchObject({ object: "product", name: "Flaky" });
    expect((await stripe.products.create({ name: "Flaky" }, { idempotencyKey: key })).id).toBe(product.id);
  });

  it("DELETE /_emulator/faults clears what is left", async () => {
    await admin("/faults", { kind: "rate_limit", times: 5 });
    const res = await emulator.fetch(`${EMULATOR_ORIGIN}/_emulator/faults`, { method: "DELETE" });
    expect(await res.json()).toEqual({ deleted: true });
    expect(await stripe.customers.create({ email: "cleared@example.test" })).toMatchObject({ object: "customer" });
  });
});
