/**
 * A subscription's discount (Stripe's Discount object, from the Checkout Session's promotion code
 * or coupon) and what it takes off each invoice while its coupon's duration lasts: `once` the first
 * invoice, `repeating` the invoices of its first `duration_in_months` months, `forever` every one.
 */
import { newId } from "../ids";
import type { CheckoutDiscount } from "../resources/checkout-discounts";
import { type Coupon, discountOf } from "../resources/coupons";
import type { ObjectStore, StripeObject } from "../store";
import { periodBoundary } from "./periods";

export type Discount = StripeObject & {
  source: { type: "coupon"; coupon: string };
  promotion_code: string | null;
  start: number;
  end: number | null;
  subscription: string | null;
};

/** The subscription's Discount object for a session's discount, starting now; its id goes in `subscription.discounts`. */
export function subscriptionDiscount(store: ObjectStore, input: { discount: CheckoutDiscount; subscription: string; customer: string }) {
  const coupon = store.get<Coupon>("coupon", input.discount.coupon);
  const start = store.now();
  const months = coupon.duration === "repeating" ? (coupon.duration_in_months ?? 1) : null;
  const discount: Discount = {
    id: newId("discount"),
    object: "discount",
    checkout_session: null,
    customer: input.customer,
    customer_account: null,
    end: months === null ? null : periodBoundary(start, { interval: "month", interval_count: months }, 1),
    invoice: null,
    invoice_item: null,
    promotion_code: input.discount.promotion_code,
    source: { type: "coupon", coupon: coupon.id },
    start,
    subscription: input.subscription,
    subscription_item: null,
  };
  store.insert("discount", discount);
  return discount.id;
}

/** What the subscription's discount takes off an invoice of `subtotal`, or undefined when none applies to it. */
export function invoiceDiscount(
  store: ObjectStore,
  subscription: StripeObject,
  invoice: { billingReason: string; serviceStart: number },
  subtotal: number,
): { amount: number; discount: string } | undefined {
  const id = (subscription.discounts as unknown[] | undefined)?.[0];
  if (typeof id !== "string") return undefined;
  const discount = store.get<Discount>("discount", id);
  const coupon = store.get<Coupon>("coupon", discount.source.coupon);
  if (coupon.duration === "once" && invoice.billingReason !== "subscription_create") return undefined;
  if (discount.end !== null && invoice.serviceStart >= discount.end) return undefined;
  const amount = discountOf(coupon, subtotal);
  return amount > 0 ? { amount, discount: id } : undefined;
}
