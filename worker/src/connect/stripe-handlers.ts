import { type StripeEventHandler, stripeObjectId } from "../module";
import { applyAccountUpdate, applyDeauthorization, recordPayoutFailure } from "./service";

const accountUpdated: StripeEventHandler = async (ctx) =>
  (await applyAccountUpdate(ctx, stripeObjectId(ctx.event))) ? "processed" : "ignored";

/** Connect events name the connected account in `event.account`; without one there is nothing of ours. */
const payoutFailed: StripeEventHandler = async (ctx) =>
  ctx.event.account && (await recordPayoutFailure(ctx, { accountId: ctx.event.account, payoutId: stripeObjectId(ctx.event) }))
    ? "processed"
    : "ignored";

/** `data.object` is the platform's application, not the account: the account is `event.account`. */
const accountDeauthorized: StripeEventHandler = async (ctx) =>
  ctx.event.account && (await applyDeauthorization(ctx, ctx.event.account)) ? "processed" : "ignored";

/** The Stripe events connect acts on (stripe-events hands them over). */
export const connectStripeHandlers: Readonly<Record<string, StripeEventHandler>> = {
  "account.updated": accountUpdated,
  "payout.failed": payoutFailed,
  "account.application.deauthorized": accountDeauthorized,
};
