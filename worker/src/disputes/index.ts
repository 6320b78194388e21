/** Payment disputes (chargebacks): recorded from Stripe's events, booked, access frozen until decided. */
import { defineModule } from "../module";
import "./events";
import { disputeRoutes } from "./routes";
import { disputesStripeHandlers } from "./stripe-handlers";

export { openDisputeCount } from "./platform-counts";
export { disputeRollupSql } from "./rollups";

export const disputesModule = defineModule({
  name: "disputes",
  routes: disputeRoutes,
  stripeHandlers: disputesStripeHandlers,
});
