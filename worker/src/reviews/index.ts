/** Buyers' reviews and each item's rating. */
import { defineModule } from "../module";
import { reviewRoutes } from "./routes";

export const reviewsModule = defineModule({
  name: "reviews",
  routes: reviewRoutes,
  webhookEvents: ["review.created"] as const,
});
