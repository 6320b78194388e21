import { and, eq } from "drizzle-orm";
import type Stripe from "stripe";
import { recordInvoiceFailure, recordInvoicePayment, syncSubscription } from "../billing/subscriptions";
import { fulfillCheckoutPayment, plazaMetadata } from "../checkout/fulfillment";
import { applyAccountUpdate, orgOfAccount } from "../connect/service";
import type { RequestMeta } from "../context";
import type { Db } from "../db/client";
import { checkouts } from "../db/schema";
import type { Env } from "../env";
import { payoutEntry } from "../ledger/entries";
import { enqueueMail } from "../mail";
import { applyChargeRefunded } from "../orders/refunds";

export type Outcome = "processed" | "ignored";
type Handler = (ctx: { env: Env; db: Db; meta: RequestMeta; event: Stripe.Event }) => Promise<Outcome>;

const objectId = (event: Stripe.Event) => (event.data.object as { id: string }).id;

const checkoutCompleted: Handler = async ({ env, db, event }) => {
  const session = event.data.object as Stripe.Checkout.Session;
  if (!plazaMetadata(session.metadata)) return "ignored";
  if (session.mode === "payment") return (await fulfillCheckoutPayment(env, db, session.id)) ? "processed" : "ignored";
  const subscription = typeof session.subscription === "string" ? session.subscription : session.subscription?.id;
  if (!subscription) return "ignored";
  await syncSubscription(env, db, subscription, [
    db
      .update(checkouts)
      .set({ status: "complete", completedAt: Date.now() })
      .where(and(eq(checkouts.sessionId, session.id), eq(checkouts.status, "open"))),
  ]);
  return "processed";
};

const invoicePaid: Handler = async ({ env, db, event }) =>
  (await recordInvoicePayment(env, db, objectId(event))) ? "processed" : "ignored";

const invoiceFailed: Handler = async ({ env, db, event }) => {
  const { mailIds } = await recordInvoiceFailure(env, db, objectId(event));
  await enqueueMail({ env }, mailIds);
  return mailIds.length > 0 ? "processed" : "ignored";
};

const subscriptionChanged: Handler = async ({ env, db, event }) =>
  (await syncSubscription(env, db, objectId(event))) ? "processed" : "ignored";

const chargeRefunded: Handler = async ({ env, db, meta, event }) =>
  (await applyChargeRefunded(env, db, meta, objectId(event))) ? "processed" : "ignored";

const accountUpdated: Handler = async ({ env, db, meta, event }) =>
  (await applyAccountUpdate(env, db, meta, objectId(event))) ? "processed" : "ignored";

const payoutPaid: Handler = async ({ db, event }) => {
  const orgId = event.account ? await orgOfAccount(db, event.account) : undefined;
  if (!orgId) return "ignored";
  const payout = event.data.object as Stripe.Payout;
  const [entry] = await payoutEntry(db, { payoutId: payout.id, orgId, amount: payout.amount, currency: payout.currency });
  await entry;
  return "processed";
};

/** Every event type Plaza acts on; anything else is recorded and ignored. */
export const HANDLERS: Partial<Record<string, Handler>> = {
  "checkout.session.completed": checkoutCompleted,
  "checkout.session.async_payment_succeeded": checkoutCompleted,
  "invoice.paid": invoicePaid,
  "invoice.payment_succeeded": invoicePaid,
  "invoice.payment_failed": invoiceFailed,
  "customer.subscription.created": subscriptionChanged,
  "customer.subscription.updated": subscriptionChanged,
  "customer.subscription.deleted": subscriptionChanged,
  "customer.subscription.paused": subscriptionChanged,
  "customer.subscription.resumed": subscriptionChanged,
  "charge.refunded": chargeRefunded,
  "account.updated": accountUpdated,
  "payout.paid": payoutPaid,
};
