import Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import { advanceClock, EMULATOR_ORIGIN, emulator, emulatorStripe, onboardedAccount, payCheckout } from "./sdk";
import { addReceiver, delivered, resetEndpoints, useWebhookReceiver } from "./webhook-receiver";

const stripe = emulatorStripe();
const receiver = useWebhookReceiver();

let author: Stripe.Account;
beforeAll(async () => {
  author = await onboardedAccount(stripe);
  await resetEndpoints();
  await addReceiver();
});

async function openSession() {
  const product = await stripe.products.create({ name: "Theme" });
  const price = await stripe.prices.create({ product: product.id, currency: "usd", unit_amount: 2500 });
  return stripe.checkout.sessions.create({
    mode: "payment",
    customer_email: "buyer@example.test",
    line_items: [{ price: price.id, quantity: 1 }],
    success_url: "https://plaza.test/checkout/done",
    cancel_url: "https://plaza.test/checkout/cancelled",
    payment_intent_data: { application_fee_amount: 300, transfer_data: { destination: author.id } },
  });
}

const deliveredFor = (type: string, sessionId: string) => delivered(receiver, (r) => r.type === type && r.object.id === sessionId);

/** The emulator's asynchronous-payment controls (admin-checkout.ts). */
const adminPost = (path: string, body?: unknown) =>
  emulator.fetch(`${EMULATOR_ORIGIN}/_emulator/checkout/sessions${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });

describe("expiring Checkout Sessions", () => {
  it("stripe.checkout.sessions.expire closes an open session, sends checkout.session.expired, and the page takes no payment", async () => {
    const session = await openSession();
    expect(session.expires_at - session.created).toBe(24 * 3600);
    const expired = await stripe.checkout.sessions.expire(session.id);
    expect(expired).toMatchObject({ id: session.id, status: "expired", payment_status: "unpaid", url: null });
    expect((await deliveredFor("checkout.session.expired", session.id)).object).toMatchObject({ status: "expired" });

    const pay = await payCheckout(session.id);
    expect(pay.status).toBe(400);
    expect(await pay.text()).toContain("This session is expired.");
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe("expired");
  });

  it("refuses to expire a session that is not open, as Stripe does", async () => {
    const session = await openSession();
    await payCheckout(session.id);
    const error = await stripe.checkout.sessions.expire(session.id).catch((e) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe("complete");
    const missing = await stripe.checkout.sessions.expire("cs_test_missing").catch((e) => e);
    expect(missing.statusCode).toBe(404);
  });

  it("expires a session once the emulator clock passes expires_at, sending checkout.session.expired at that time", async () => {
    const session = await openSession();
    const paid = await openSession();
    await payCheckout(paid.id);
    const advanced = await advanceClock(24 * 3600 + 60);
    expect(advanced).toMatchObject({ expired_checkout_sessions: expect.arrayContaining([session.id]) });
    expect((advanced as unknown as { expired_checkout_sessions: string[] }).expired_checkout_sessions).not.toContain(paid.id);
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe("expired");
    expect((await stripe.checkout.sessions.retrieve(paid.id)).status).toBe("complete");
    const event = (await stripe.events.list({ type: "checkout.session.expired" })).data.find(
      (e) => (e.data.object as Stripe.Checkout.Session).id === session.id,
    );
    expect(event?.created).toBe(session.expires_at);
    await deliveredFor("checkout.session.expired", session.id);
  });
});

describe("asynchronous payments in Checkout", () => {
  it("completes unpaid with the payment processing, then async_payment_succeeded makes it paid", async () => {
    const session = await openSession();
    expect((await adminPost(`/${session.id}/pay_async`)).status).toBe(200);
    const pending = await stripe.checkout.sessions.retrieve(session.id, { expand: ["payment_intent"] });
    expect(pending).toMatchObject({ status: "complete", payment_status: "unpaid", payment_intent: { status: "processing" } });
    expect((await deliveredFor("checkout.session.completed", session.id)).object).toMatchObject({ payment_status: "unpaid" });

    expect((await adminPost(`/${session.id}/async_payment`, { succeed: true })).status).toBe(200);
    const paid = await stripe.checkout.sessions.retrieve(session.id, { expand: ["payment_intent"] });
    expect(paid).toMatchObject({ payment_status: "paid", payment_intent: { status: "succeeded", application_fee_amount: 300 } });
    await deliveredFor("checkout.session.async_payment_succeeded", session.id);
    // The outcome is given once.
    expect((await adminPost(`/${session.id}/async_payment`, { succeed: false })).status).toBe(400);
  });

  it("a failed one sends async_payment_failed: the session stays complete and unpaid, its payment intent needs a payment method", async () => {
    const session = await openSession();
    await adminPost(`/${session.id}/pay_async`);
    expect((await adminPost(`/${session.id}/async_payment`, { succeed: false })).status).toBe(200);
    const failed = await stripe.checkout.sessions.retrieve(session.id, { expand: ["payment_intent"] });
    expect(failed).toMatchObject({ status: "complete", payment_status: "unpaid", payment_intent: { status: "requires_payment_method" } });
    expect((await deliveredFor("checkout.session.async_payment_failed", session.id)).object).toMatchObject({ id: session.id });
    // A completed session cannot expire.
    expect(await stripe.checkout.sessions.expire(session.id).catch((e) => e)).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  });

  it("answers bad input with 400 and an unknown session with 404", async () => {
    const open = await openSession();
    expect((await adminPost(`/${open.id}/async_payment`, { succeed: true })).status).toBe(400);
    expect((await adminPost(`/${open.id}/async_payment`, { succeed: "yes" })).status).toBe(400);
    const notJson = await emulator.fetch(`${EMULATOR_ORIGIN}/_emulator/checkout/sessions/${open.id}/async_payment`, {
      method: "POST",
      body: "{",
    });
    expect(notJson.status).toBe(400);
    expect((await adminPost("/cs_test_missing/pay_async")).status).toBe(404);
  });
});
