/** Buying: Checkout sessions and fulfilling what was paid for. */
import { defineModule } from "../module";
import { checkoutEvents } from "./event-handlers";
import "./events";
import { checkoutJobs } from "./jobs";
import { checkoutRoutes } from "./routes";
import { checkoutStripeHandlers } from "./stripe-handlers";

export { failedCheckoutCount } from "./platform-counts";
export { checkoutRollupSql } from "./rollups";
export { checkoutStatus, startCheckout } from "./service";
export { checkoutIdOfSession, sessionIdsOf } from "./stripe-sessions";

export const checkoutModule = defineModule({
  name: "checkout",
  routes: checkoutRoutes,
  stripeHandlers: checkoutStripeHandlers,
  jobs: checkoutJobs,
  events: checkoutEvents,
});
