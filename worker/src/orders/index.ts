/** Orders and refunds. */
import { defineModule } from "../module";
import { orderRoutes } from "./routes";
import { ordersStripeHandlers } from "./stripe-handlers";

export const ordersModule = defineModule({
  name: "orders",
  routes: orderRoutes,
  stripeHandlers: ordersStripeHandlers,
  webhookEvents: ["order.refunded"] as const,
});
