/** Buyers' reviews and each item's rating. */
import { defineModule } from "../module";
import { reviewsEntitlementEvents } from "./entitlement-events";
import { reviewRoutes } from "./routes";

export { dismissReviewReport, reviewReportQueue } from "./reports";
export { listReviews } from "./service";

export const reviewsModule = defineModule({
  name: "reviews",
  routes: reviewRoutes,
  events: reviewsEntitlementEvents,
  webhookEvents: ["review.created"] as const,
});
