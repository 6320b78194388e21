import type { EventHandlers } from "../context";
import { cancelRefundedSubscription, syncSubscription } from "./subscriptions";

/** Billing's reactions to other domains' events. */
export const billingEvents: EventHandlers = {
  /** A paid subscription Checkout: the subscription mirrored (checkout then marks its checkout complete). */
  "checkout.subscription_paid": async (ctx, { subscriptionId }) => {
    await syncSubscription(ctx, subscriptionId);
    return undefined;
  },
  "order.subscription_refunded": async (ctx, { subscriptionId }) => {
    await cancelRefundedSubscription(ctx, subscriptionId);
    return undefined;
  },
};
