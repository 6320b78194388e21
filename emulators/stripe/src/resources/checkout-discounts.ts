import { invalidRequest } from "../errors";
import type { ObjectStore } from "../store";
import { discountOf } from "./coupons";
import type { Price } from "./prices";
import { redeemDiscount, resolveDiscount } from "./promotion-codes";

/** A session's discount: what it names (Stripe's `discounts[]` entry) and the amount it takes off. */
export interface CheckoutDiscount {
  coupon: string;
  promotion_code: string | null;
  amount: number;
}

/**
 * `discounts[0]` of a session: the coupon (directly or through a promotion code) taken off the line
 * items it applies to (`applies_to.products`, else all). A coupon that applies to none of them, or an
 * `amount_off` in another currency, is refused as Stripe does. In subscription mode the amount is
 * what the first invoice takes off; the subscription keeps the discount for later ones.
 */
export function checkoutDiscount(
  store: ObjectStore,
  discounts: { coupon?: string; promotion_code?: string }[] | undefined,
  lineItems: { price: Price; amount: number }[],
): CheckoutDiscount | undefined {
  const requested = discounts?.[0];
  if (!requested) return undefined;
  const { coupon, promotionCode } = resolveDiscount(store, requested, "discounts[0]");
  const products = coupon.applies_to?.products;
  const eligible = lineItems.filter((item) => !products || products.includes(item.price.product));
  if (eligible.length === 0) throw invalidRequest("This coupon cannot be applied to any of the line items.", "discounts[0]");
  const currency = lineItems[0]!.price.currency;
  if (coupon.amount_off !== null && coupon.currency !== currency) {
    throw invalidRequest(`This coupon's currency (${coupon.currency}) does not match the session's (${currency}).`, "discounts[0]");
  }
  const base = eligible.reduce((sum, item) => sum + item.amount, 0);
  return { coupon: coupon.id, promotion_code: promotionCode, amount: discountOf(coupon, base) };
}

/** Paying the session redeems its discount (once: completion runs once per session). */
export function redeemCheckoutDiscount(store: ObjectStore, discount: CheckoutDiscount | undefined) {
  if (discount) redeemDiscount(store, discount);
}
