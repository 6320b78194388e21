/** A buyer's coupon code on a checkout: checked by the coupons domain, passed to Stripe as the session's discount. */
import type Stripe from "stripe";
import type { Ctx } from "../context";
import { type AppliedCoupon, applyCoupon, couponSale } from "../coupons";
import type { PaidPricing } from "../stripe";

/**
 * The coupon a checkout's `promotionCode` names, with what it takes off the price (a subscription's
 * first invoice); undefined without a code.
 */
export async function checkoutCoupon(
  { db }: Pick<Ctx, "db">,
  input: { itemId: string; pricing: PaidPricing; promotionCode?: string },
): Promise<AppliedCoupon | undefined> {
  if (!input.promotionCode) return undefined;
  return applyCoupon({ db }, { itemId: input.itemId, code: input.promotionCode, amount: input.pricing.amount });
}

/** The session's `discounts`: Stripe takes the promotion code off, so the session's total is the discounted price. */
export const discountParams = (coupon: AppliedCoupon | undefined): Pick<Stripe.Checkout.SessionCreateParams, "discounts"> =>
  coupon ? { discounts: [{ promotion_code: coupon.stripePromotionCodeId }] } : {};

/** What a paid session's coupon did (the discount Stripe took off, `total_details`), for its order; it redeems the code. */
export const saleDiscount = (
  { db }: Pick<Ctx, "db">,
  input: { couponId: string | null; session: Stripe.Checkout.Session; orderId: string; now: number },
) =>
  couponSale(db, {
    couponId: input.couponId,
    orderId: input.orderId,
    discountAmount: input.session.total_details?.amount_discount ?? 0,
    redeems: true,
    now: input.now,
  });
