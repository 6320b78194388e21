import { and, eq, inArray, isNotNull, isNull, lt, notExists, sql } from "drizzle-orm";
import type { Job } from "../module";
import { enqueueWebhookEvents } from "./outbox";
import { WEBHOOK_LOG_RETENTION_MS } from "./retention";
import { webhookAttempts, webhookDeliveries, webhookEvents } from "./tables";

/** Webhook events whose enqueue was lost are dispatched after 5 minutes. */
export const requeueUndispatchedWebhooks: Job = async ({ db, env, now, batchSize }) => {
  const stale = await db
    .select({ id: webhookEvents.id })
    .from(webhookEvents)
    .where(and(isNull(webhookEvents.dispatchedAt), lt(webhookEvents.createdAt, now - 5 * 60_000)))
    .limit(batchSize);
  await enqueueWebhookEvents(
    env,
    stale.map((e) => e.id),
  );
  return stale.length;
};

/**
 * The delivery log is kept 30 days: older attempts are deleted, and so are events with nothing
 * left to send: every delivery delivered or skipped (the endpoint was disabled), or none. An event
 * with a failed (or pending) delivery stays, to be recovered.
 */
export const purgeWebhookLog: Job = async ({ db, now, batchSize }) => {
  const cutoff = now - WEBHOOK_LOG_RETENTION_MS;
  const settled = db
    .select({ id: webhookEvents.id })
    .from(webhookEvents)
    .where(
      and(
        lt(webhookEvents.createdAt, cutoff),
        isNotNull(webhookEvents.dispatchedAt),
        notExists(
          db
            .select({ one: sql`1` })
            .from(webhookDeliveries)
            .where(and(eq(webhookDeliveries.eventId, webhookEvents.id), inArray(webhookDeliveries.status, ["pending", "failed"]))),
        ),
      ),
    )
    .limit(batchSize);
  const [attempts, events] = await db.batch([
    db
      .delete(webhookAttempts)
      .where(
        inArray(
          webhookAttempts.id,
          db.select({ id: webhookAttempts.id }).from(webhookAttempts).where(lt(webhookAttempts.createdAt, cutoff)).limit(batchSize),
        ),
      )
      .returning({ id: webhookAttempts.id }),
    // Their deliveries go with them (ON DELETE CASCADE).
    db.delete(webhookEvents).where(inArray(webhookEvents.id, settled)).returning({ id: webhookEvents.id }),
  ]);
  return attempts.length + events.length;
};
