import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import type { PlanInterval } from "../../../shared/catalog";
import type { CheckoutSession, CheckoutStatus } from "../../../shared/payments";
import { hasLiveSubscription } from "../billing";
import { findItemBySlug, findItemRef } from "../catalog";
import { chargeableAccountId } from "../connect";
import type { Ctx } from "../context";
import { sha256Hex } from "../crypto/hash";
import { derivedId, newId } from "../crypto/random";
import type { Db } from "../db/client";
import { findActiveEntitlement } from "../entitlements";
import { AppError, notFound } from "../http/errors";
import type { Principal } from "../http/principal";
import { oneTimeFee, percentFee, platformFee, subscriptionFeePercent } from "../ledger";
import { type CheckoutMetadata, firstOrderOfCheckout } from "../orders";
import { customerFor, type PaidPricing, priceFor, stripeFor } from "../stripe";
import { checkoutCoupon, discountParams } from "./discounts";
import { pricingToBuy } from "./plans";
import { checkouts } from "./tables";
import { checkoutTaxParams, subscriptionTaxSettings } from "./tax";

/**
 * Opens a Stripe Checkout Session for an item: a destination charge to the author's connected
 * account with the platform fee, one-time (`payment`) or recurring (`subscription`, also for
 * metered items). The buyer is the signed-in user or, for a guest, the given e-mail. A client
 * `Idempotency-Key` is passed on to Stripe, so a retried request returns the same session.
 */
export async function startCheckout(
  ctx: Ctx,
  input: { slug: string; principal?: Principal; email?: string; interval?: PlanInterval; promotionCode?: string; idempotencyKey?: string },
): Promise<typeof CheckoutSession._output> {
  const { env, db } = ctx;
  // Any status: an item that exists but is not published (a draft, a removed one) is 409, not 404.
  const item = await findItemBySlug(db, input.slug);
  if (!item) throw notFound("Item");
  if (item.status !== "published" && item.status !== "unlisted") throw new AppError("conflict", "This item is not for sale");
  if (item.pricing.model === "free") throw new AppError("conflict", "This item is free: use Get instead of buying it");
  const pricing = pricingToBuy(item.pricing as PaidPricing, input.interval);
  const email = input.principal?.user.email ?? input.email;
  if (!email)
    throw new AppError("invalid_request", "Sign in or give the e-mail to deliver the purchase to", {
      fields: { "body.email": ["required for a guest checkout"] },
    });
  await refuseIfAlreadyOwned(db, input.principal?.userId, item.id, pricing);
  const coupon = await checkoutCoupon({ db }, { itemId: item.id, pricing, promotionCode: input.promotionCode });
  // What Plaza expects Stripe to charge before tax: the price after the coupon; the fee is taken from it.
  const amount = pricing.amount - (coupon?.discountAmount ?? 0);

  const destination = await chargeableAccountId({ env, db }, item.orgId);
  const stripe = stripeFor(env);
  const [price, customer] = await Promise.all([priceFor({ env, db }, { item, pricing }), customerFor({ env, db }, email)]);
  const fee = platformFee(env);
  const mode = pricing.model === "one_time" ? "payment" : "subscription";
  const requestKey = input.idempotencyKey ? await sha256Hex(`${email}|${item.id}|${input.idempotencyKey}`) : undefined;
  // A retry names the same checkout, so Stripe sees the same parameters and replays its session.
  const checkoutId = requestKey ? await derivedId("checkout", requestKey) : newId("checkout");
  const metadata: CheckoutMetadata = {
    plaza_checkout_id: checkoutId,
    plaza_item_id: item.id,
    plaza_org_id: item.orgId,
    plaza_email: email,
    // A subscription's invoices name their coupon through it (billing records each one's discount).
    ...(coupon ? { plaza_coupon_id: coupon.couponId } : {}),
  };
  const feeAmount = mode === "payment" ? oneTimeFee(fee, amount) : percentFee(amount, subscriptionFeePercent(fee));

  const params: Stripe.Checkout.SessionCreateParams = {
    mode,
    customer,
    // Metered prices take no quantity: usage is reported to the meter instead.
    line_items: [pricing.model === "metered" ? { price: price.priceId } : { price: price.priceId, quantity: 1 }],
    success_url: `${env.APP_URL}/checkout/success?checkout=${checkoutId}`,
    cancel_url: `${env.APP_URL}/checkout/cancel?item=${encodeURIComponent(item.slug)}`,
    client_reference_id: checkoutId,
    metadata,
    // Stripe Tax adds tax on top when the operator turned it on (checkout/tax.ts); the fee stays on the pre-tax amount
    // (a subscription's invoices give the tax's share of the fee back: billing/invoice-tax.ts).
    ...checkoutTaxParams(env, destination),
    ...discountParams(coupon),
    ...(mode === "payment"
      ? { payment_intent_data: { application_fee_amount: feeAmount, transfer_data: { destination }, metadata } }
      : {
          subscription_data: {
            application_fee_percent: subscriptionFeePercent(fee),
            transfer_data: { destination },
            metadata,
            ...subscriptionTaxSettings(env, destination),
          },
        }),
  };
  const requestOptions = requestKey ? { idempotencyKey: `checkout:${requestKey}` } : undefined;
  const session = await stripe.checkout.sessions.create(params, requestOptions);
  if (!session.url) throw new Error("Stripe returned a Checkout Session without a url");

  // A replayed session (same idempotency key) already has its row: keep the first one's id.
  const sessionCheckoutId = session.metadata?.plaza_checkout_id ?? checkoutId;
  const now = Date.now();
  await db.batch([
    db
      .insert(checkouts)
      .values({
        id: sessionCheckoutId,
        sessionId: session.id,
        orgId: item.orgId,
        itemId: item.id,
        userId: input.principal?.userId ?? null,
        email,
        mode,
        priceId: price.priceId,
        amount,
        currency: pricing.currency,
        feeAmount,
        couponId: coupon?.couponId ?? null,
        status: "open",
        createdAt: now,
      })
      .onConflictDoNothing(),
    ...(await ctx.events.emit("checkout.started", { orgId: item.orgId, itemId: item.id, now })),
  ]);
  if (requestKey) {
    // Stripe forgets keys after 24 hours: a key reused later made a new session this checkout does not track.
    const [row] = await db.select({ sessionId: checkouts.sessionId }).from(checkouts).where(eq(checkouts.id, sessionCheckoutId)).limit(1);
    if (row?.sessionId !== session.id)
      throw new AppError("idempotency_key_reused", "This Idempotency-Key was used for an earlier checkout; use a new key");
  }
  return { checkoutId: sessionCheckoutId, url: session.url, amount, currency: pricing.currency, mode };
}

/** A buyer who already holds the item is not charged again. */
async function refuseIfAlreadyOwned(db: Db, userId: string | undefined, itemId: string, pricing: PaidPricing) {
  if (!userId) return;
  if (pricing.model === "one_time") {
    if (await findActiveEntitlement(db, userId, itemId, ["purchase"])) throw new AppError("conflict", "You already own this item");
    return;
  }
  if (await hasLiveSubscription(db, { userId, itemId })) throw new AppError("conflict", "You already subscribe to this item");
}

/**
 * What the success page shows. Knowing the checkout id (sent only to the buyer's browser, 119
 * random bits) is what lets a guest see it; it reveals the item and amount, nothing about the buyer.
 * `licenseKey` is always null here: only `GET /v1/checkouts/{id}` reveals the key (once, see
 * licenses/issuance.ts), so that rendering a page never spends the one showing by accident.
 */
export async function checkoutStatus({ db }: Pick<Ctx, "db">, checkoutId: string): Promise<typeof CheckoutStatus._output> {
  const [checkout] = await db.select().from(checkouts).where(eq(checkouts.id, checkoutId)).limit(1);
  const item = checkout && (await findItemRef(db, checkout.itemId));
  if (!checkout || !item) throw notFound("Checkout");
  const order = await firstOrderOfCheckout(db, checkout.id);
  return {
    checkoutId: checkout.id,
    status: checkout.status,
    itemSlug: item.slug,
    itemName: item.name,
    // Once paid, what was charged: Stripe Tax adds tax on top of the checkout's pre-tax amount.
    amount: order?.amount ?? checkout.amount,
    currency: checkout.currency,
    orderId: order?.id ?? null,
    licenseKey: null,
  };
}
