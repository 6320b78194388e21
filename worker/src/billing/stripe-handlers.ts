import { enqueueMail } from "../mail";
import { type StripeEventHandler, stripeObjectId } from "../module";
import { recordInvoiceFailure, recordInvoicePayment, syncSubscription } from "./subscriptions";

const invoicePaid: StripeEventHandler = async (ctx) =>
  (await recordInvoicePayment(ctx, stripeObjectId(ctx.event))) ? "processed" : "ignored";

const invoiceFailed: StripeEventHandler = async (ctx) => {
  const { mailIds } = await recordInvoiceFailure(ctx, stripeObjectId(ctx.event));
  await enqueueMail(ctx, mailIds);
  return mailIds.length > 0 ? "processed" : "ignored";
};

const subscriptionChanged: StripeEventHandler = async (ctx) =>
  (await syncSubscription(ctx, stripeObjectId(ctx.event))) ? "processed" : "ignored";

/** The Stripe events billing acts on (stripe-events hands them over). */
export const billingStripeHandlers: Readonly<Record<string, StripeEventHandler>> = {
  "invoice.paid": invoicePaid,
  "invoice.payment_succeeded": invoicePaid,
  "invoice.payment_failed": invoiceFailed,
  "customer.subscription.created": subscriptionChanged,
  "customer.subscription.updated": subscriptionChanged,
  "customer.subscription.deleted": subscriptionChanged,
  "customer.subscription.paused": subscriptionChanged,
  "customer.subscription.resumed": subscriptionChanged,
};
