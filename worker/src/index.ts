import { createApp } from "./app";
import { consumeUsageReports } from "./billing/usage";
import type { Env, MailQueueMessage, StripeEventMessage, UsageReportMessage } from "./env";
import { configureLogging } from "./http/log";
import { consumeMail, consumeMailDeadLetters } from "./mail/consumer";
import { runScheduled } from "./maintenance/scheduler";
import { consumeStripeEventDeadLetters, consumeStripeEvents } from "./stripe/event-consumer";
import { consumeWebhookDeadLetters, consumeWebhooks } from "./webhooks/consumer";
import type { WebhookQueueMessage } from "./webhooks/outbox";

const app = createApp();

export default {
  fetch: app.fetch,

  async queue(batch: MessageBatch<unknown>, env: Env) {
    configureLogging(env.LOG_LEVEL);
    switch (batch.queue) {
      case "plaza-mail":
        return consumeMail(batch as MessageBatch<MailQueueMessage>, env);
      case "plaza-mail-dlq":
        return consumeMailDeadLetters(batch as MessageBatch<MailQueueMessage>, env);
      case "plaza-stripe-events":
        return consumeStripeEvents(batch as MessageBatch<StripeEventMessage>, env);
      case "plaza-stripe-events-dlq":
        return consumeStripeEventDeadLetters(batch as MessageBatch<StripeEventMessage>, env);
      case "plaza-webhooks":
        return consumeWebhooks(batch as MessageBatch<WebhookQueueMessage>, env);
      case "plaza-webhooks-dlq":
        return consumeWebhookDeadLetters(batch as MessageBatch<WebhookQueueMessage>, env);
      case "plaza-usage":
        return consumeUsageReports(batch as MessageBatch<UsageReportMessage>, env);
      default:
        throw new Error(`No consumer for queue ${batch.queue}`);
    }
  },

  async scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext) {
    configureLogging(env.LOG_LEVEL);
    ctx.waitUntil(runScheduled(controller.scheduledTime, env));
  },
} satisfies ExportedHandler<Env>;
