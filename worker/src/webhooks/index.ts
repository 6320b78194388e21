/** Outgoing webhooks: endpoints, events, signed deliveries and retries. */
import { defineModule } from "../module";
import { consumeWebhookDeadLetters, consumeWebhooks } from "./consumer";
import { resealWebhookSecrets } from "./reseal";
import { webhookRoutes } from "./routes";

export { enqueueWebhookEvents, webhookEvent, webhookEventIf } from "./outbox";

export const webhooksModule = defineModule({
  name: "webhooks",
  routes: webhookRoutes,
  queues: { "plaza-webhooks": consumeWebhooks, "plaza-webhooks-dlq": consumeWebhookDeadLetters },
  jobs: { "reseal-webhook-secrets": resealWebhookSecrets },
  webhookEvents: ["webhook.test"] as const,
});
