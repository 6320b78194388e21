import { createApp } from "./app";
import type { Env } from "./env";
import { configureLogging } from "./http/log";
import { forwardToPlaced } from "./http/placement";
import { runScheduled } from "./maintenance";
import { runtime } from "./modules";

export { RateLimitCounter } from "./http/rate-limit-counter";

const app = createApp();

export default {
  /** On the edge Worker of a deployment, all but public reads go to the placed Worker. */
  fetch: forwardToPlaced(app.fetch),

  /** Each queue's batch goes to the consumer the module owning that queue registered. */
  async queue(batch: MessageBatch<unknown>, env: Env) {
    configureLogging(env.LOG_LEVEL);
    const consume = runtime.queues[batch.queue];
    if (!consume) throw new Error(`No consumer for queue ${batch.queue}`);
    return consume(batch as MessageBatch<never>, env, runtime);
  },

  async scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext) {
    configureLogging(env.LOG_LEVEL);
    ctx.waitUntil(runScheduled(controller.scheduledTime, env, runtime));
  },
} satisfies ExportedHandler<Env>;
