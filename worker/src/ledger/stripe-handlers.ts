import type Stripe from "stripe";
import { orgOfAccount } from "../connect";
import type { StripeEventHandler } from "../module";
import { payoutEntry } from "./entries";

/** Money Stripe paid out of an author's connected account: a payout entry on the org's balance. */
const payoutPaid: StripeEventHandler = async (ctx) => {
  const orgId = ctx.event.account ? await orgOfAccount(ctx.db, ctx.event.account) : undefined;
  if (!orgId) return "ignored";
  const payout = ctx.event.data.object as Stripe.Payout;
  const [entry] = await payoutEntry(ctx.db, { payoutId: payout.id, orgId, amount: payout.amount, currency: payout.currency });
  await entry;
  return "processed";
};

/** The Stripe events the ledger acts on (stripe-events hands them over). */
export const ledgerStripeHandlers: Readonly<Record<string, StripeEventHandler>> = {
  "payout.paid": payoutPaid,
};
