/** Outgoing webhooks: endpoints, events, signed deliveries and retries. */
import { defineModule } from "../module";
import { consumeWebhookDeadLetters, consumeWebhooks } from "./consumer";
import { purgeWebhookLog, requeueUndispatchedWebhooks } from "./jobs";
import { resealWebhookSecrets } from "./reseal";
import { webhookRoutes } from "./routes";

export { enqueueWebhookEvents, webhookEvent, webhookEventIf } from "./outbox";
export { deadDeliveryCount, failingEndpoints } from "./platform-counts";

export const webhooksModule = defineModule({
  name: "webhooks",
  routes: webhookRoutes,
  queues: { "plaza-webhooks": consumeWebhooks, "plaza-webhooks-dlq": consumeWebhookDeadLetters },
  jobs: {
    "reseal-webhook-secrets": resealWebhookSecrets,
    "requeue-undispatched-webhooks": requeueUndispatchedWebhooks,
    "purge-webhook-log": purgeWebhookLog,
  },
  webhookEvents: ["webhook.test"] as const,
});
