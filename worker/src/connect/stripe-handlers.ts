import { type StripeEventHandler, stripeObjectId } from "../module";
import { applyAccountUpdate } from "./service";

const accountUpdated: StripeEventHandler = async (ctx) =>
  (await applyAccountUpdate(ctx, stripeObjectId(ctx.event))) ? "processed" : "ignored";

/** The Stripe events connect acts on (stripe-events hands them over). */
export const connectStripeHandlers: Readonly<Record<string, StripeEventHandler>> = {
  "account.updated": accountUpdated,
};
