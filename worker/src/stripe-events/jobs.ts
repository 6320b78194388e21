import { and, eq, lt } from "drizzle-orm";
import type { Job } from "../module";
import { stripeEvents } from "./tables";

/** Inbound Stripe events recorded but never processed (a lost enqueue) are queued again after 5 minutes. */
export const requeueStaleStripeEvents: Job = async ({ db, env, now, batchSize }) => {
  const stale = await db
    .select({ id: stripeEvents.id })
    .from(stripeEvents)
    .where(and(eq(stripeEvents.status, "received"), lt(stripeEvents.receivedAt, now - 5 * 60_000)))
    .limit(batchSize);
  if (stale.length > 0) await env.STRIPE_EVENTS_QUEUE.sendBatch(stale.map((e) => ({ body: { eventId: e.id } })));
  return stale.length;
};
