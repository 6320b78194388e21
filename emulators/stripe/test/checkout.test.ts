import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import { signatureHeader } from "../src/webhooks/signature";
import { EMULATOR_ORIGIN, emulator, emulatorStripe, onboardedAccount, payCheckout, waitFor } from "./sdk";
import { addReceiver, delivered, resetEndpoints, state, useWebhookReceiver } from "./webhook-receiver";

const stripe = emulatorStripe();
const crypto = Stripe.createSubtleCryptoProvider();
const receiver = useWebhookReceiver();

/** Replaces the endpoints earlier tests registered with one receiver; returns its secret. */
async function freshReceiver() {
  await resetEndpoints();
  return addReceiver();
}

const deliveredEvent = (type: string) => delivered(receiver, (r) => r.type === type);

/** Destination charges need a real connected account that finished onboarding. */
let author: Stripe.Account;
beforeAll(async () => {
  author = await onboardedAccount(stripe);
});

async function payableSession(extra: Partial<Stripe.Checkout.SessionCreateParams> = {}) {
  const seller = await stripe.customers.create({ email: "buyer@example.test" });
  const product = await stripe.products.create({ name: "Theme" });
  const price = await stripe.prices.create({ product: product.id, currency: "usd", unit_amount: 2500 });
  return stripe.checkout.sessions.create({
    mode: "payment",
    customer: seller.id,
    line_items: [{ price: price.id, quantity: 2 }],
    success_url: "https://plaza.test/checkout/done?session={CHECKOUT_SESSION_ID}",
    cancel_url: "https://plaza.test/checkout/cancelled",
    metadata: { order_id: "ord_1" },
    payment_intent_data: { application_fee_amount: 500, transfer_data: { destination: author.id } },
    ...extra,
  });
}

describe("signing", () => {
  it("signs payloads the way stripe.webhooks.constructEventAsync verifies", async () => {
    const payload = JSON.stringify({ id: "evt_1", object: "event", type: "ping" });
    const header = await signatureHeader(payload, "whsec_test");
    const event = await stripe.webhooks.constructEventAsync(payload, header, "whsec_test", undefined, crypto);
    expect(event.id).toBe("evt_1");
    await expect(stripe.webhooks.constructEventAsync(payload, header, "whsec_other", undefined, crypto)).rejects.toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
  });
});

describe("Checkout in payment mode", () => {
  it("pays on the hosted page, completes the session and sends signed events", async () => {
    const secret = await freshReceiver();
    const session = await payableSession();
    expect(session).toMatchObject({ status: "open", payment_status: "unpaid", amount_total: 5000, currency: "usd" });
    expect(session.id).toMatch(/^cs_test_/);
    expect(session.url).toBe(`${EMULATOR_ORIGIN}/checkout/${session.id}`);

    const page = await emulator.fetch(session.url!);
    const html = await page.text();
    expect(html).toContain(`action="/checkout/${session.id}/pay"`);
    expect(html).toContain(">Pay</button>");
    expect(html).toContain(">Decline</button>");

    const paid = await emulator.fetch(`${EMULATOR_ORIGIN}/checkout/${session.id}/pay`, { method: "POST", redirect: "manual" });
    expect(paid.status).toBe(303);
    expect(paid.headers.get("location")).toBe(`https://plaza.test/checkout/done?session=${session.id}`);

    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ["payment_intent", "customer"] });
    expect(done).toMatchObject({ status: "complete", payment_status: "paid", metadata: { order_id: "ord_1" } });
    expect((done.customer as Stripe.Customer).email).toBe("buyer@example.test");
    const paymentIntent = done.payment_intent as Stripe.PaymentIntent;
    expect(paymentIntent).toMatchObject({
      status: "succeeded",
      amount: 5000,
      application_fee_amount: 500,
      transfer_data: { destination: author.id },
    });
    const charge = await stripe.charges.retrieve(paymentIntent.latest_charge as string);
    expect(charge).toMatchObject({ paid: true, amount: 5000, payment_intent: paymentIntent.id });

    const delivery = await deliveredEvent("checkout.session.completed");
    const event = await stripe.webhooks.constructEventAsync(delivery.body, delivery.signature, secret, undefined, crypto);
    expect(event.type).toBe("checkout.session.completed");
    expect((event.data.object as Stripe.Checkout.Session).id).toBe(session.id);
    await deliveredEvent("payment_intent.succeeded");

    const listed = await stripe.events.list({ type: "checkout.session.completed" });
    expect(listed.data[0]!.id).toBe(event.id);
    expect((await stripe.events.retrieve(event.id)).type).toBe("checkout.session.completed");
  });

  it("declines back to the cancel URL and leaves the session open", async () => {
    const session = await payableSession();
    const declined = await emulator.fetch(`${EMULATOR_ORIGIN}/checkout/${session.id}/decline`, { method: "POST", redirect: "manual" });
    expect(declined.status).toBe(303);
    expect(declined.headers.get("location")).toBe("https://plaza.test/checkout/cancelled");
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe("open");
  });

  it("refuses an application fee larger than the total, naming the param", async () => {
    const error = await payableSession({
      payment_intent_data: { application_fee_amount: 9999, transfer_data: { destination: author.id } },
    }).catch((e) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error.param).toBe("payment_intent_data[application_fee_amount]");
  });

  it("automatic tax: an existing customer needs customer_update; the billing country on the page sets the tax", async () => {
    expect(await payableSession({ automatic_tax: { enabled: true } }).catch((e) => e)).toMatchObject({
      statusCode: 400,
      param: "automatic_tax[enabled]",
    });
    const taxTerms = {
      automatic_tax: { enabled: true },
      customer_update: { address: "auto" },
      tax_id_collection: { enabled: true },
    } as const;
    expect(await payableSession(taxTerms).catch((e) => e)).toMatchObject({ statusCode: 400, param: "tax_id_collection[enabled]" });

    const session = await payableSession({ ...taxTerms, customer_update: { address: "auto", name: "auto" } });
    expect(session).toMatchObject({ amount_total: 5000, automatic_tax: { enabled: true, status: "requires_location_inputs" } });
    expect(await (await emulator.fetch(session.url!)).text()).toContain("FR (tax 20 %)");
    const pay = (body: string) =>
      emulator.fetch(`${EMULATOR_ORIGIN}/checkout/${session.id}/pay`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body,
      });
    const withoutCountry = await pay("");
    expect(withoutCountry.status).toBe(400);
    expect(await withoutCountry.text()).toContain("Choose your billing country.");
    expect((await pay("country=FR&tax_id=FR40303265045")).status).toBe(303);

    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ["payment_intent", "customer"] });
    expect(done).toMatchObject({
      amount_subtotal: 5000,
      amount_total: 6000,
      total_details: { amount_tax: 1000 },
      automatic_tax: { status: "complete" },
      customer_details: { address: { country: "FR" }, tax_ids: [{ type: "eu_vat", value: "FR40303265045" }] },
    });
    // The fee stays what the platform asked for; the tax travels with the rest to the destination.
    expect(done.payment_intent).toMatchObject({ amount: 6000, application_fee_amount: 500 });
    expect((done.customer as Stripe.Customer).address?.country).toBe("FR");
  });

  it("a destination charge's fee is an application fee the platform can refund in part", async () => {
    const session = await payableSession();
    await payCheckout(session.id);
    const paid = await stripe.checkout.sessions.retrieve(session.id, { expand: ["payment_intent.latest_charge"] });
    const charge = (paid.payment_intent as Stripe.PaymentIntent).latest_charge as Stripe.Charge;
    const fee = await stripe.applicationFees.retrieve(charge.application_fee as string);
    expect(fee).toMatchObject({ object: "application_fee", amount: 500, amount_refunded: 0, charge: charge.id, account: author.id });
    const refund = await stripe.applicationFees.createRefund(fee.id, { amount: 120 });
    expect(refund).toMatchObject({ object: "fee_refund", amount: 120, fee: fee.id });
    expect(await stripe.applicationFees.createRefund(fee.id, { amount: 400 }).catch((e) => e)).toMatchObject({
      statusCode: 400,
      code: "amount_too_large",
    });
    expect(await stripe.applicationFees.retrieve(fee.id)).toMatchObject({ amount_refunded: 120, refunded: false });
  });

  it("refunds a charge, partially then fully, with charge.refunded events", async () => {
    await freshReceiver();
    const session = await payableSession();
    await payCheckout(session.id);
    const paymentIntentId = (await stripe.checkout.sessions.retrieve(session.id)).payment_intent as string;

    const partial = await stripe.refunds.create({ payment_intent: paymentIntentId, amount: 1000 });
    expect(partial).toMatchObject({ object: "refund", amount: 1000, status: "succeeded", payment_intent: paymentIntentId });
    expect(partial.id).toMatch(/^re_/);
    const rest = await stripe.refunds.create({ charge: partial.charge as string });
    expect(rest.amount).toBe(4000);
    expect(await stripe.charges.retrieve(partial.charge as string)).toMatchObject({ refunded: true, amount_refunded: 5000 });

    const again = await stripe.refunds.create({ charge: partial.charge as string }).catch((e) => e);
    expect(again).toMatchObject({ code: "charge_already_refunded", statusCode: 400 });

    const refundedEvents = await stripe.events.list({ type: "charge.refunded" });
    expect(refundedEvents.data).toHaveLength(2);
    expect(refundedEvents.data[0]!.data.previous_attributes).toMatchObject({ amount_refunded: 1000, refunded: false });
    await deliveredEvent("charge.refunded");
  });
});

describe("Checkout in subscription mode", () => {
  it("starts an active subscription for a recurring price and creates the customer", async () => {
    const product = await stripe.products.create({ name: "Team plan" });
    const monthly = await stripe.prices.create({
      product: product.id,
      currency: "usd",
      unit_amount: 1200,
      recurring: { interval: "month" },
    });
    const session = await stripe.checkout.sessions.create({
      mode: "subscription",
      customer_email: "team@example.test",
      line_items: [{ price: monthly.id, quantity: 3 }],
      success_url: "https://plaza.test/ok",
    });
    expect(session.amount_total).toBe(3600);
    await payCheckout(session.id);
    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ["subscription"] });
    const subscription = done.subscription as Stripe.Subscription;
    expect(subscription).toMatchObject({ status: "active", customer: done.customer });
    expect(subscription.items.data[0]).toMatchObject({ quantity: 3, price: { id: monthly.id } });
  });

  it("refuses a one-time price in subscription mode", async () => {
    const product = await stripe.products.create({ name: "Once" });
    const once = await stripe.prices.create({ product: product.id, currency: "usd", unit_amount: 100 });
    const error = await stripe.checkout.sessions
      .create({ mode: "subscription", line_items: [{ price: once.id, quantity: 1 }], success_url: "https://plaza.test/ok" })
      .catch((e) => e);
    expect(error).toMatchObject({ statusCode: 400, param: "line_items" });
  });
});

describe("webhook retries", () => {
  it("retries a failed delivery with backoff until the endpoint answers 2xx", async () => {
    await freshReceiver();
    receiver.answers = [500];
    const customer = await stripe.customers.create({ email: "retry@example.test" });
    const event = (await stripe.events.list({ type: "customer.created", limit: 1 })).data[0]!;
    expect((event.data.object as Stripe.Customer).id).toBe(customer.id);

    const deliveries = async () => {
      const res = await emulator.fetch(`${EMULATOR_ORIGIN}/_emulator/webhook_deliveries?event=${event.id}`);
      return ((await res.json()) as { data: { status: string; attempts: number; next_attempt_at: number; last_response_status: number }[] })
        .data;
    };
    const failedOnce = await waitFor(async () => {
      await runDurableObjectAlarm(state());
      const [row] = await deliveries();
      return row && row.attempts === 1 ? row : undefined;
    });
    expect(failedOnce).toMatchObject({ status: "pending", last_response_status: 500 });
    expect(failedOnce.next_attempt_at).toBeGreaterThan(Date.now() + 3_000);
    const alarm = await runInDurableObject(state(), (_instance, ctx) => ctx.storage.getAlarm());
    expect(alarm).toBe(failedOnce.next_attempt_at);

    // Let the backoff pass instantly rather than waiting for it.
    await runInDurableObject(state(), (_instance, ctx) => {
      ctx.storage.sql.exec("UPDATE webhook_deliveries SET next_attempt_at = 0 WHERE status = 'pending'");
    });
    expect(await runDurableObjectAlarm(state())).toBe(true);
    expect((await deliveries())[0]).toMatchObject({ status: "delivered", attempts: 2, last_response_status: 200 });
    expect(receiver.received.filter((r) => r.type === "customer.created")).toHaveLength(2);
  });
});
