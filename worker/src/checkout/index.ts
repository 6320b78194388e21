/** Buying: Checkout sessions and fulfilling what was paid for. */
import { defineModule } from "../module";
import { checkoutRoutes } from "./routes";

export const checkoutModule = defineModule({
  name: "checkout",
  routes: checkoutRoutes,
  webhookEvents: ["order.created"] as const,
});
