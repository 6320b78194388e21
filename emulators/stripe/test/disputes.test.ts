import type Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import { admin, emulatorStripe, onboardedAccount, payCheckout } from "./sdk";

const stripe = emulatorStripe();

let author: Stripe.Account;
beforeAll(async () => {
  author = await onboardedAccount(stripe);
});

/** A paid destination charge of 2500; its charge's id. */
async function paidCharge() {
  const product = await stripe.products.create({ name: "Theme" });
  const price = await stripe.prices.create({ product: product.id, currency: "usd", unit_amount: 2500 });
  const session = await stripe.checkout.sessions.create({
    mode: "payment",
    line_items: [{ price: price.id, quantity: 1 }],
    success_url: "https://plaza.test/done",
    cancel_url: "https://plaza.test/cancelled",
    payment_intent_data: { application_fee_amount: 250, transfer_data: { destination: author.id } },
  });
  await payCheckout(session.id);
  const paymentIntentId = (await stripe.checkout.sessions.retrieve(session.id)).payment_intent as string;
  return (await stripe.paymentIntents.retrieve(paymentIntentId)).latest_charge as string;
}

const eventsOf = async (disputeId: string) =>
  (await stripe.events.list({ limit: 100 })).data
    .filter((e) => (e.data.object as { id: string }).id === disputeId)
    .map((e) => e.type)
    .reverse();

describe("disputes", () => {
  it("opens one on a charge (needs_response, due_by, the amount and $15 fee withdrawn); won, both come back", async () => {
    const chargeId = await paidCharge();
    const opened = await admin<Stripe.Dispute>(`/charges/${chargeId}/dispute`, { reason: "fraudulent", due_in_days: 10 });
    const dispute = await stripe.disputes.retrieve(opened.id);
    expect(dispute).toMatchObject({
      object: "dispute",
      charge: chargeId,
      amount: 2500,
      currency: "usd",
      reason: "fraudulent",
      status: "needs_response",
    });
    expect(dispute.id).toMatch(/^du_/);
    expect(dispute.evidence_details.due_by! - dispute.created).toBe(10 * 86_400);
    expect(dispute.balance_transactions.map((t) => [t.amount, t.fee, t.net, t.reporting_category])).toEqual([
      [-2500, 1500, -4000, "dispute"],
    ]);
    expect((await stripe.charges.retrieve(chargeId)).disputed).toBe(true);
    await expect(admin(`/charges/${chargeId}/dispute`, {})).rejects.toThrow(/already disputed/);
    expect((await stripe.disputes.list({ charge: chargeId })).data.map((d) => d.id)).toEqual([dispute.id]);

    const answered = await stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: "Delivered on time" } });
    expect(answered).toMatchObject({ status: "under_review", evidence_details: { has_evidence: true, submission_count: 1 } });

    await admin(`/disputes/${dispute.id}/close`, { status: "won" });
    const won = await stripe.disputes.retrieve(dispute.id);
    expect(won.status).toBe("won");
    expect(won.balance_transactions.map((t) => [t.amount, t.fee, t.reporting_category])).toEqual([
      [-2500, 1500, "dispute"],
      [2500, -1500, "dispute_reversal"],
    ]);
    expect(await eventsOf(dispute.id)).toEqual([
      "charge.dispute.created",
      "charge.dispute.funds_withdrawn",
      "charge.dispute.updated",
      "charge.dispute.closed",
      "charge.dispute.funds_reinstated",
    ]);
    await expect(admin(`/disputes/${dispute.id}/close`, { status: "lost" })).rejects.toThrow(/already won/);
  });

  it("accepting a dispute (disputes.close) loses it: the money stays withdrawn", async () => {
    const chargeId = await paidCharge();
    const opened = await admin<Stripe.Dispute>(`/charges/${chargeId}/dispute`, { amount: 1000 });
    const lost = await stripe.disputes.close(opened.id);
    expect(lost).toMatchObject({ status: "lost", amount: 1000, reason: "fraudulent" });
    expect(lost.balance_transactions).toHaveLength(1);
    expect(await eventsOf(opened.id)).toEqual(["charge.dispute.created", "charge.dispute.funds_withdrawn", "charge.dispute.closed"]);
  });
});
