import type Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import { admin, advanceClock, emulator, emulatorStripe, onboardedAccount, payCheckout } from "./sdk";

const stripe = emulatorStripe();
let author: Stripe.Account;
let price: Stripe.Price;
beforeAll(async () => {
  author = await onboardedAccount(stripe);
  const product = await stripe.products.create({ name: "Theme" });
  price = await stripe.prices.create({ product: product.id, currency: "usd", unit_amount: 2500 });
});

const session = (discounts?: Stripe.Checkout.SessionCreateParams.Discount[]) =>
  stripe.checkout.sessions.create({
    mode: "payment",
    line_items: [{ price: price.id, quantity: 1 }],
    success_url: "https://plaza.test/done",
    payment_intent_data: { application_fee_amount: 100, transfer_data: { destination: author.id } },
    ...(discounts ? { discounts } : {}),
  });

const uniqueCode = () => `CODE${Math.random().toString(36).slice(2, 10).toUpperCase()}`;

describe("coupons and promotion codes", () => {
  it("a promotion code discounts a session (subtotal, total_details, total) and paying redeems it once", async () => {
    const coupon = await stripe.coupons.create({ percent_off: 20, duration: "once" });
    expect(coupon).toMatchObject({ object: "coupon", percent_off: 20, amount_off: null, duration: "once", times_redeemed: 0, valid: true });
    const code = uniqueCode();
    const promo = await stripe.promotionCodes.create({ promotion: { type: "coupon", coupon: coupon.id }, code, max_redemptions: 1 });
    expect(promo).toMatchObject({ object: "promotion_code", code, active: true, times_redeemed: 0, promotion: { coupon: coupon.id } });
    expect((await stripe.promotionCodes.list({ code: code.toLowerCase() })).data.map((p) => p.id)).toEqual([promo.id]);

    const discounted = await session([{ promotion_code: promo.id }]);
    expect(discounted).toMatchObject({ amount_subtotal: 2500, amount_total: 2000, total_details: { amount_discount: 500 } });
    expect(discounted.discounts).toEqual([{ coupon: coupon.id, promotion_code: promo.id }]);
    const paid = await emulator.fetch(`${discounted.url}/pay`, { method: "POST", redirect: "manual" });
    expect(paid.status).toBe(303);
    const completed = await stripe.checkout.sessions.retrieve(discounted.id, { expand: ["payment_intent"] });
    expect((completed.payment_intent as Stripe.PaymentIntent).amount).toBe(2000);
    expect((await stripe.promotionCodes.retrieve(promo.id)).times_redeemed).toBe(1);
    expect((await stripe.coupons.retrieve(coupon.id)).times_redeemed).toBe(1);

    // Used up: Stripe refuses the code on a new session.
    await expect(session([{ promotion_code: promo.id }])).rejects.toMatchObject({ statusCode: 400, param: "discounts[0][promotion_code]" });
  });

  it("refuses inactive or expired codes, bad coupons and duplicate active codes, as Stripe does", async () => {
    await expect(stripe.coupons.create({ percent_off: 10, amount_off: 100, currency: "usd" })).rejects.toMatchObject({ statusCode: 400 });
    await expect(stripe.coupons.create({ amount_off: 100 })).rejects.toMatchObject({ param: "currency" });
    const coupon = await stripe.coupons.create({ amount_off: 300, currency: "usd" });
    const code = uniqueCode();
    const promo = await stripe.promotionCodes.create({ promotion: { type: "coupon", coupon: coupon.id }, code });
    await expect(
      stripe.promotionCodes.create({ promotion: { type: "coupon", coupon: coupon.id }, code: code.toLowerCase() }),
    ).rejects.toMatchObject({
      param: "code",
    });
    expect((await session([{ promotion_code: promo.id }])).amount_total).toBe(2200);
    await stripe.promotionCodes.update(promo.id, { active: false });
    await expect(session([{ promotion_code: promo.id }])).rejects.toThrow("inactive");

    const expiring = await stripe.promotionCodes.create({ promotion: { type: "coupon", coupon: coupon.id }, expires_at: 1 });
    await expect(session([{ promotion_code: expiring.id }])).rejects.toThrow("expired");
    await expect(stripe.coupons.create({ amount_off: 100, currency: "eur" }).then((eur) => session([{ coupon: eur.id }]))).rejects.toThrow(
      "currency",
    );
  });

  it("a subscription keeps a repeating discount for its months: its first invoices are discounted, later ones are not", async () => {
    const product = await stripe.products.create({ name: "Pro plan" });
    const monthly = await stripe.prices.create({
      product: product.id,
      currency: "usd",
      unit_amount: 1000,
      recurring: { interval: "month" },
    });
    const coupon = await stripe.coupons.create({ percent_off: 50, duration: "repeating", duration_in_months: 2 });
    const promo = await stripe.promotionCodes.create({ promotion: { type: "coupon", coupon: coupon.id } });
    const session = await stripe.checkout.sessions.create({
      mode: "subscription",
      customer_email: "half@example.test",
      line_items: [{ price: monthly.id, quantity: 1 }],
      success_url: "https://plaza.test/ok",
      discounts: [{ promotion_code: promo.id }],
      subscription_data: { application_fee_percent: 10, transfer_data: { destination: author.id } },
    });
    expect(session).toMatchObject({ amount_subtotal: 1000, amount_total: 500, total_details: { amount_discount: 500 } });
    await payCheckout(session.id);
    const subscriptionId = (await stripe.checkout.sessions.retrieve(session.id)).subscription as string;
    const subscription = await stripe.subscriptions.retrieve(subscriptionId);
    expect(subscription.discounts).toHaveLength(1);

    const renew = async () => {
      const { now } = await admin<{ now: number }>("/clock");
      const periodEnd = (await stripe.subscriptions.retrieve(subscriptionId)).items.data[0]!.current_period_end;
      await advanceClock(periodEnd - now + 1);
    };
    await renew();
    await renew();
    const invoices = (await stripe.invoices.list({ subscription: subscriptionId })).data.reverse();
    expect(invoices.map((i) => [i.billing_reason, i.subtotal, i.total, i.amount_paid])).toEqual([
      ["subscription_create", 1000, 500, 500],
      ["subscription_cycle", 1000, 500, 500],
      ["subscription_cycle", 1000, 1000, 1000],
    ]);
    expect(invoices[0]!.total_discount_amounts).toEqual([{ amount: 500, discount: subscription.discounts[0] }]);
    // One redemption for the subscription, not one per invoice.
    expect((await stripe.promotionCodes.retrieve(promo.id)).times_redeemed).toBe(1);
  });
});
