/** Orders and refunds: recording sales, and refunding them. */
import { defineModule } from "../module";
import "./events";
import { orderRoutes } from "./routes";
import { ordersStripeHandlers } from "./stripe-handlers";

export { itemSalesSince } from "./item-sales";
export { findOrdersFor, type OrderMatch } from "./operator-search";
export { orderCountsByStatus } from "./platform-counts";
export { firstOrderOfCheckout, latestOrderOf, type OrderRow, orderOfPaymentIntent } from "./queries";
export { orderLinesSql } from "./rollups";
export type { SaleTax } from "./sales";
export { type CheckoutMetadata, linkEntitlement, orderExists, orderIdOf, plazaMetadata, type Sale, saleStatements } from "./sales";

export const ordersModule = defineModule({
  name: "orders",
  routes: orderRoutes,
  stripeHandlers: ordersStripeHandlers,
  webhookEvents: ["order.created", "order.refunded"] as const,
});
