/** Subscriptions, invoices and metered usage. */
import { defineModule } from "../module";
import { billingRoutes } from "./routes";
import { billingCheckoutEvents, billingStripeHandlers } from "./stripe-handlers";
import { consumeUsageReports } from "./usage";

export const billingModule = defineModule({
  name: "billing",
  routes: billingRoutes,
  queues: { "plaza-usage": consumeUsageReports },
  stripeHandlers: billingStripeHandlers,
  events: billingCheckoutEvents,
  webhookEvents: ["subscription.updated", "subscription.canceled"] as const,
});
