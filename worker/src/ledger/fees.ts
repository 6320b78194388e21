import type { PlatformFee } from "../../../shared/fees";
import type { Env } from "../env";

export { oneTimeFee, type PlatformFee, percentFee, subscriptionFeePercent } from "../../../shared/fees";

/** Defaults when unset: 10% + 30 minor units, a typical marketplace cut. */
export function platformFee(env: Env): PlatformFee {
  const bps = Number(env.PLATFORM_FEE_BPS ?? 1000);
  const fixed = Number(env.PLATFORM_FEE_FIXED ?? 30);
  if (!Number.isInteger(bps) || bps < 0 || bps > 10_000) throw new Error("PLATFORM_FEE_BPS must be an integer 0..10000");
  if (!Number.isInteger(fixed) || fixed < 0) throw new Error("PLATFORM_FEE_FIXED must be a non-negative integer");
  return { bps, fixed };
}
