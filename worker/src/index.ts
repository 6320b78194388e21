import { createApp } from "./app";
import type { Env, MailQueueMessage } from "./env";
import { consumeMail, consumeMailDeadLetters } from "./mail/consumer";
import { configureLogging } from "./http/log";
import { runScheduled } from "./maintenance/scheduler";

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
      default:
        throw new Error(`No consumer for queue ${batch.queue}`);
    }
  },

  async scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext) {
    configureLogging(env.LOG_LEVEL);
    ctx.waitUntil(runScheduled(controller.scheduledTime, env));
  },
} satisfies ExportedHandler<Env>;
