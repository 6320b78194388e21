/**
 * Incoming Stripe webhooks: each signed event recorded once and queued, then handed to the module
 * that acts on its type (`stripeHandlers` in that module, e.g. checkout/stripe-handlers.ts).
 */
import { defineModule } from "../module";
import { consumeStripeEventDeadLetters, consumeStripeEvents } from "./event-consumer";
import { requeueStaleStripeEvents } from "./jobs";
import { stripeWebhookRoutes } from "./webhook-routes";

export { SIGNATURE_TOLERANCE_SECONDS } from "./ingest";
export { deadStripeEventCount } from "./platform-counts";

export const stripeEventsModule = defineModule({
  name: "stripe-events",
  routes: stripeWebhookRoutes,
  queues: { "plaza-stripe-events": consumeStripeEvents, "plaza-stripe-events-dlq": consumeStripeEventDeadLetters },
  jobs: { "requeue-stale-stripe-events": requeueStaleStripeEvents },
});
