import { type StripeEventHandler, stripeObjectId } from "../module";
import { stripeFor } from "../stripe";
import { syncChargeRefunds } from "./refund-sync";

const chargeRefunded: StripeEventHandler = async (ctx) =>
  (await syncChargeRefunds(ctx, stripeObjectId(ctx.event))) ? "processed" : "ignored";

/** A refund changed status (succeeded, failed, canceled): its charge's refunds are synced from Stripe, whatever the event says. */
const refundChanged: StripeEventHandler = async (ctx) => {
  const refund = await stripeFor(ctx.env).refunds.retrieve(stripeObjectId(ctx.event));
  const chargeId = typeof refund.charge === "string" ? refund.charge : refund.charge?.id;
  if (!chargeId) return "ignored";
  return (await syncChargeRefunds(ctx, chargeId)) ? "processed" : "ignored";
};

/** The Stripe events orders act on (stripe-events hands them over). */
export const ordersStripeHandlers: Readonly<Record<string, StripeEventHandler>> = {
  "charge.refunded": chargeRefunded,
  "refund.updated": refundChanged,
  "refund.failed": refundChanged,
};
