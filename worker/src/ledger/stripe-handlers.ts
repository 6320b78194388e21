import type Stripe from "stripe";
import { orgOfAccount, recordPayoutPaid } from "../connect";
import type { StripeEventHandler } from "../module";
import { payoutEntry } from "./entries";

/** Money Stripe paid out of an author's connected account: a payout entry on the org's balance. */
const payoutPaid: StripeEventHandler = async (ctx) => {
  const orgId = ctx.event.account ? await orgOfAccount(ctx.db, ctx.event.account) : undefined;
  if (!orgId) return "ignored";
  const payout = ctx.event.data.object as Stripe.Payout;
  const [entry] = await payoutEntry(ctx.db, { payoutId: payout.id, orgId, amount: payout.amount, currency: payout.currency });
  await entry;
  // A payout paid after a failed one means the bank details work again: connect clears the problem.
  await recordPayoutPaid(ctx.db, { accountId: ctx.event.account!, created: payout.created ?? ctx.event.created });
  return "processed";
};

/** The Stripe events the ledger acts on (stripe-events hands them over). */
export const ledgerStripeHandlers: Readonly<Record<string, StripeEventHandler>> = {
  "payout.paid": payoutPaid,
};
