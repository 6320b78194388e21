/** Orders and refunds. */
import { defineModule } from "../module";
import { orderRoutes } from "./routes";

export const ordersModule = defineModule({
  name: "orders",
  routes: orderRoutes,
  webhookEvents: ["order.refunded"] as const,
});
