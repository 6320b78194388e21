import { type StripeEventHandler, stripeObjectId } from "../module";
import { syncDispute } from "./service";

/** Every event of a dispute re-reads it from Stripe, whatever the event says: any order ends the same. */
const disputeChanged: StripeEventHandler = async (ctx) => ((await syncDispute(ctx, stripeObjectId(ctx.event))) ? "processed" : "ignored");

/** The Stripe events disputes act on (platform events: destination charges' disputes are the platform's). */
export const disputesStripeHandlers: Readonly<Record<string, StripeEventHandler>> = {
  "charge.dispute.created": disputeChanged,
  "charge.dispute.updated": disputeChanged,
  "charge.dispute.closed": disputeChanged,
  "charge.dispute.funds_withdrawn": disputeChanged,
  "charge.dispute.funds_reinstated": disputeChanged,
};
