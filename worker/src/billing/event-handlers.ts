import { checkoutCompletion } from "../checkout";
import type { EventHandlers } from "../context";
import { cancelRefundedSubscription, syncSubscription } from "./subscriptions";

/** Billing's reactions to other domains' events. */
export const billingEvents: EventHandlers = {
  /** A paid subscription Checkout: the subscription mirrored, and its checkout completed in the same batch. */
  "checkout.subscription_paid": async (ctx, { sessionId, subscriptionId }) => {
    await syncSubscription(ctx.env, ctx.db, subscriptionId, [checkoutCompletion(ctx.db, sessionId)]);
    return undefined;
  },
  "order.subscription_refunded": async (ctx, { subscriptionId }) => {
    await cancelRefundedSubscription(ctx, subscriptionId);
    return undefined;
  },
};
