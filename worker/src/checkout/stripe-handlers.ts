import { and, eq } from "drizzle-orm";
import type Stripe from "stripe";
import type { Db } from "../db/client";
import type { StripeEventHandler } from "../module";
import { plazaMetadata } from "../orders";
import { stripeFor } from "../stripe";
import { closeCheckout, closedStatus } from "./closing";
import { fulfillCheckoutPayment } from "./fulfillment";
import { checkouts } from "./tables";

/** The statement that completes a subscription's checkout. */
const checkoutCompletion = (db: Db, sessionId: string, now: number) =>
  db
    .update(checkouts)
    .set({ status: "complete", completedAt: now })
    .where(and(eq(checkouts.sessionId, sessionId), eq(checkouts.status, "open")));

/**
 * A paid Checkout: a payment is fulfilled here; a subscription is announced, for billing to mirror
 * it, and the checkout completes once that succeeded (a failure retries the event, and the mirror
 * is idempotent).
 */
const checkoutCompleted: StripeEventHandler = async (ctx) => {
  const session = ctx.event.data.object as Stripe.Checkout.Session;
  const metadata = plazaMetadata(session.metadata);
  if (!metadata) return "ignored";
  if (session.mode === "payment") return (await fulfillCheckoutPayment(ctx, session.id)) ? "processed" : "ignored";
  const subscription = typeof session.subscription === "string" ? session.subscription : session.subscription?.id;
  if (!subscription) return "ignored";
  await ctx.events.emit("checkout.subscription_paid", { sessionId: session.id, subscriptionId: subscription });
  const now = Date.now();
  await ctx.db.batch([
    checkoutCompletion(ctx.db, session.id, now),
    ...(await ctx.events.emit("checkout.completed", { orgId: metadata.plaza_org_id, itemId: metadata.plaza_item_id, now })),
  ]);
  return "processed";
};

/**
 * A Checkout that closed unpaid: its session expired, or its asynchronous payment failed. The
 * session as Stripe has it now decides, not the event's copy: an expired session is never
 * completed later, so a late or replayed `completed` cannot undo this, nor can a forged event
 * close a checkout that is still payable.
 */
const checkoutClosed: StripeEventHandler = async (ctx) => {
  const event = ctx.event.data.object as Stripe.Checkout.Session;
  if (!plazaMetadata(event.metadata)) return "ignored";
  const session = await stripeFor(ctx.env).checkout.sessions.retrieve(event.id, { expand: ["payment_intent"] });
  const status = closedStatus(session);
  if (!status) return "ignored";
  return (await closeCheckout(ctx, { sessionId: session.id, status, now: Date.now() })) ? "processed" : "ignored";
};

/** The Stripe events checkout acts on (stripe-events hands them over). */
export const checkoutStripeHandlers: Readonly<Record<string, StripeEventHandler>> = {
  "checkout.session.completed": checkoutCompleted,
  "checkout.session.async_payment_succeeded": checkoutCompleted,
  "checkout.session.expired": checkoutClosed,
  "checkout.session.async_payment_failed": checkoutClosed,
};
