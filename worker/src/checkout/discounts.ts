/** A buyer's coupon code on a checkout: checked by the coupons domain, passed to Stripe as the session's discount. */
import type Stripe from "stripe";
import type { Ctx } from "../context";
import { type AppliedCoupon, applyCoupon, couponCode, redemptionStatements } from "../coupons";
import { AppError } from "../http/errors";
import type { PaidPricing } from "../stripe";

/** The coupon a checkout's `promotionCode` names, with what it takes off the price; undefined without a code. */
export async function checkoutCoupon(
  { db }: Pick<Ctx, "db">,
  input: { itemId: string; pricing: PaidPricing; promotionCode?: string },
): Promise<AppliedCoupon | undefined> {
  if (!input.promotionCode) return undefined;
  if (input.pricing.model !== "one_time") {
    const message = "Codes apply to one-time purchases only";
    throw new AppError("unprocessable", message, { fields: { "body.promotionCode": [message] } });
  }
  return applyCoupon({ db }, { itemId: input.itemId, code: input.promotionCode, amount: input.pricing.amount });
}

/** The session's `discounts`: Stripe takes the promotion code off, so the session's total is the discounted price. */
export const discountParams = (coupon: AppliedCoupon | undefined): Pick<Stripe.Checkout.SessionCreateParams, "discounts"> =>
  coupon ? { discounts: [{ promotion_code: coupon.stripePromotionCodeId }] } : {};

/**
 * What a paid session's coupon did, for its order: the discount Stripe took off (`total_details`)
 * with the code, and the coupon's redemption for the fulfilling batch. Nothing without a coupon.
 */
export async function saleDiscount(
  { db }: Pick<Ctx, "db">,
  input: { couponId: string | null; session: Stripe.Checkout.Session; orderId: string; now: number },
) {
  if (!input.couponId) return { discount: undefined, statements: [] };
  const amount = input.session.total_details?.amount_discount ?? 0;
  const code = (await couponCode(db, input.couponId)) ?? null;
  return {
    discount: { amount, code },
    statements: redemptionStatements(db, { couponId: input.couponId, orderId: input.orderId, discountAmount: amount, now: input.now }),
  };
}
