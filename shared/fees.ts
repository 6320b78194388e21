/** The platform's cut, computed the same by the ledger (server) and the studio's "you receive" (browser). */
import { z } from "zod";
import type { PricingT } from "./catalog";

export const PlatformFee = z
  .object({
    /** Basis points of the amount (1000 = 10%). */
    bps: z.number().int(),
    /** Fixed minor units added to each one-time sale (in the sale's currency). */
    fixed: z.number().int(),
  })
  .meta({ id: "PlatformFee" });
export type PlatformFee = z.infer<typeof PlatformFee>;

/** The fee on a one-time sale: the percentage rounded half up, plus the fixed part, never above the amount. */
export function oneTimeFee(fee: PlatformFee, amount: number): number {
  return Math.min(amount, Math.round((amount * fee.bps) / 10_000) + fee.fixed);
}

/**
 * Subscriptions carry only a percentage (`application_fee_percent`): Stripe applies it to every
 * invoice, and a fixed amount cannot be expressed there.
 */
export const subscriptionFeePercent = (fee: PlatformFee) => fee.bps / 100;

/** The fee Stripe takes on an invoice of `amount` at `percent`: rounded like Stripe, half up. */
export const percentFee = (amount: number, percent: number) => Math.round((amount * percent) / 100);

/**
 * What the author receives of one sale at `pricing`'s amount (a subscription's invoice, a metered
 * unit), before Stripe's own processing fee; null for a free item.
 */
export function authorReceives(fee: PlatformFee, pricing: PricingT): number | null {
  if (pricing.model === "free") return null;
  if (pricing.model === "one_time") return pricing.amount - oneTimeFee(fee, pricing.amount);
  return pricing.amount - percentFee(pricing.amount, subscriptionFeePercent(fee));
}
