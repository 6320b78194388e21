/** Stripe: the SDK client, and incoming Stripe webhooks recorded and processed through a queue. */
import { defineModule } from "../module";
import { consumeStripeEventDeadLetters, consumeStripeEvents } from "./event-consumer";
import { stripeWebhookRoutes } from "./webhook-routes";

export const stripeModule = defineModule({
  name: "stripe",
  routes: stripeWebhookRoutes,
  queues: { "plaza-stripe-events": consumeStripeEvents, "plaza-stripe-events-dlq": consumeStripeEventDeadLetters },
});
