import type { Env } from "../env";

export interface PlatformFee {
  /** Basis points of the amount (1000 = 10%). */
  bps: number;
  /** Fixed minor units added to each one-time sale. */
  fixed: number;
}

/** Defaults when unset: 10% + 30 minor units, a typical marketplace cut. */
export function platformFee(env: Env): PlatformFee {
  const bps = Number(env.PLATFORM_FEE_BPS ?? 1000);
  const fixed = Number(env.PLATFORM_FEE_FIXED ?? 30);
  if (!Number.isInteger(bps) || bps < 0 || bps > 10_000) throw new Error("PLATFORM_FEE_BPS must be an integer 0..10000");
  if (!Number.isInteger(fixed) || fixed < 0) throw new Error("PLATFORM_FEE_FIXED must be a non-negative integer");
  return { bps, fixed };
}

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
