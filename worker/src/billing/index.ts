/** Subscriptions, invoices and metered usage. */
import { defineModule } from "../module";
import { billingEvents } from "./event-handlers";
import { billingRoutes } from "./routes";
import { billingStripeHandlers } from "./stripe-handlers";
import { consumeUsageReports } from "./usage";

export const billingModule = defineModule({
  name: "billing",
  routes: billingRoutes,
  queues: { "plaza-usage": consumeUsageReports },
  stripeHandlers: billingStripeHandlers,
  events: billingEvents,
  webhookEvents: ["subscription.updated", "subscription.canceled"] as const,
});
