import { type StripeEventHandler, stripeObjectId } from "../module";
import { applyChargeRefunded } from "./refunds";

const chargeRefunded: StripeEventHandler = async (ctx) =>
  (await applyChargeRefunded(ctx, stripeObjectId(ctx.event))) ? "processed" : "ignored";

/** The Stripe events orders act on (stripe-events hands them over). */
export const ordersStripeHandlers: Readonly<Record<string, StripeEventHandler>> = {
  "charge.refunded": chargeRefunded,
};
