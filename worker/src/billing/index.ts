/** Subscriptions, invoices and metered usage. */
import { defineModule } from "../module";
import { billingEvents } from "./event-handlers";
import "./events";
import { billingJobs } from "./jobs";
import { billingRoutes } from "./routes";
import { billingStripeHandlers } from "./stripe-handlers";
import { consumeUsageReports } from "./usage";

export { subscriptionRollupSql } from "./rollups";
export { hasLiveSubscription } from "./subscriptions";

export const billingModule = defineModule({
  name: "billing",
  routes: billingRoutes,
  jobs: billingJobs,
  queues: { "plaza-usage": consumeUsageReports },
  stripeHandlers: billingStripeHandlers,
  events: billingEvents,
  webhookEvents: ["subscription.updated", "subscription.canceled"] as const,
});
