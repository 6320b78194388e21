import type Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import { admin, emulatorStripe, onboardedAccount, payCheckout } from "./sdk";

const stripe = emulatorStripe();

let author: Stripe.Account;
beforeAll(async () => {
  author = await onboardedAccount(stripe);
});

/** A paid destination charge of 2500; its payment intent's id. */
async function paidPayment() {
  const customer = await stripe.customers.create({ email: "buyer@example.test" });
  const product = await stripe.products.create({ name: "Theme" });
  const price = await stripe.prices.create({ product: product.id, currency: "usd", unit_amount: 2500 });
  const session = await stripe.checkout.sessions.create({
    mode: "payment",
    customer: customer.id,
    line_items: [{ price: price.id, quantity: 1 }],
    success_url: "https://plaza.test/done",
    cancel_url: "https://plaza.test/cancelled",
    payment_intent_data: { application_fee_amount: 250, transfer_data: { destination: author.id } },
  });
  await payCheckout(session.id);
  return (await stripe.checkout.sessions.retrieve(session.id)).payment_intent as string;
}

const eventsOf = async (refundId: string) =>
  (await stripe.events.list({ limit: 100 })).data.filter((e) => (e.data.object as { id: string }).id === refundId);

describe("a refund's lifecycle", () => {
  it("a held payment's refund stays pending, then fails: refund.updated and refund.failed with the reason, and the charge gets the amount back", async () => {
    const paymentIntentId = await paidPayment();
    await admin(`/payment_intents/${paymentIntentId}/hold_refunds`, { hold: true });
    const refund = await stripe.refunds.create({ payment_intent: paymentIntentId });
    expect(refund.status).toBe("pending");
    expect(await stripe.charges.retrieve(refund.charge as string)).toMatchObject({ amount_refunded: 2500, refunded: true });

    await admin(`/refunds/${refund.id}/settle`, { status: "failed", failure_reason: "expired_or_canceled_card" });
    expect(await stripe.refunds.retrieve(refund.id)).toMatchObject({ status: "failed", failure_reason: "expired_or_canceled_card" });
    expect(await stripe.charges.retrieve(refund.charge as string)).toMatchObject({ amount_refunded: 0, refunded: false });
    const events = await eventsOf(refund.id);
    expect(events.map((e) => e.type).sort()).toEqual(["charge.refund.updated", "refund.created", "refund.failed", "refund.updated"]);
    const failed = events.find((e) => e.type === "refund.failed")!;
    expect(failed.data.previous_attributes).toMatchObject({ status: "pending" });

    // Final: it cannot fail again or succeed afterwards.
    await expect(admin(`/refunds/${refund.id}/settle`, { status: "succeeded" })).rejects.toThrow(/already failed/);
  });

  it("a pending refund succeeds (refund.updated, no refund.failed); one not held starts succeeded and may still fail", async () => {
    const held = await paidPayment();
    await admin(`/payment_intents/${held}/hold_refunds`, { hold: true });
    const pending = await stripe.refunds.create({ payment_intent: held, amount: 1000 });
    await admin(`/refunds/${pending.id}/settle`, { status: "succeeded" });
    expect((await stripe.refunds.retrieve(pending.id)).status).toBe("succeeded");
    expect((await eventsOf(pending.id)).map((e) => e.type).sort()).toEqual(["charge.refund.updated", "refund.created", "refund.updated"]);
    expect((await stripe.charges.retrieve(pending.charge as string)).amount_refunded).toBe(1000);

    const plain = await paidPayment();
    const card = await stripe.refunds.create({ payment_intent: plain });
    expect(card.status).toBe("succeeded");
    await admin(`/refunds/${card.id}/settle`, { status: "failed" });
    expect(await stripe.refunds.retrieve(card.id)).toMatchObject({ status: "failed", failure_reason: "unknown" });
    expect((await stripe.charges.retrieve(card.charge as string)).amount_refunded).toBe(0);
  });

  it("cancels only a pending refund, and refuses an unknown failure reason", async () => {
    const paymentIntentId = await paidPayment();
    const succeeded = await stripe.refunds.create({ payment_intent: paymentIntentId, amount: 500 });
    await expect(admin(`/refunds/${succeeded.id}/settle`, { status: "canceled" })).rejects.toThrow(/Only a pending refund/);
    await expect(admin(`/refunds/${succeeded.id}/settle`, { status: "failed", failure_reason: "nope" })).rejects.toThrow(/400/);
    await admin(`/payment_intents/${paymentIntentId}/hold_refunds`, { hold: true });
    const pending = await stripe.refunds.create({ payment_intent: paymentIntentId, amount: 500 });
    expect((await admin(`/refunds/${pending.id}/settle`, { status: "canceled" })).status).toBe("canceled");
    expect((await stripe.charges.retrieve(pending.charge as string)).amount_refunded).toBe(500);
  });
});
