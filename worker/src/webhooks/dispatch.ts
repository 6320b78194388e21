import { and, eq, isNull } from "drizzle-orm";
import type { Ctx } from "../context";
import { derivedId } from "../crypto/random";
import type { Db } from "../db/client";
import { enqueueDeliveries } from "./outbox";
import { webhookDeliveries, webhookEndpoints, webhookEvents } from "./tables";

type EndpointRow = typeof webhookEndpoints.$inferSelect;

export const wantsType = (endpoint: Pick<EndpointRow, "eventTypes">, type: string) =>
  endpoint.eventTypes === null || endpoint.eventTypes.includes(type);

export const deliveryIdFor = (eventId: string, endpointId: string) => derivedId("webhookDelivery", `${eventId}:${endpointId}`);

const PENDING = { status: "pending" } as const;
/** Not sent and not queued: the endpoint was disabled when the event was dispatched. `recover` sends it. */
const SKIPPED = { status: "skipped", lastError: "endpoint disabled" } as const;

/** The statement that creates one delivery (nothing if the pair exists). */
export async function deliveryInsert(
  db: Db,
  {
    event,
    endpointId,
    now,
    initial = PENDING,
  }: { event: { id: string; orgId: string }; endpointId: string; now: number; initial?: typeof PENDING | typeof SKIPPED },
) {
  const id = await deliveryIdFor(event.id, endpointId);
  return {
    id,
    insert: db
      .insert(webhookDeliveries)
      .values({ id, eventId: event.id, endpointId, orgId: event.orgId, ...initial, createdAt: now, updatedAt: now })
      .onConflictDoNothing(),
  };
}

/**
 * Fans one event out: a delivery per endpoint of the org that wants its type (skipped for a
 * disabled one, so that recover finds it), then one queue message per pending delivery.
 * Dispatching again (a duplicate message, a re-queue) adds no delivery and only re-sends messages
 * for deliveries still pending, which the lease makes harmless.
 */
export async function dispatchEvent({ env, db }: Pick<Ctx, "env" | "db">, eventId: string, now = Date.now()) {
  const [event] = await db.select().from(webhookEvents).where(eq(webhookEvents.id, eventId)).limit(1);
  if (!event) return 0;
  const endpoints = event.dispatchedAt
    ? []
    : (
        await db
          .select({ id: webhookEndpoints.id, enabled: webhookEndpoints.enabled, eventTypes: webhookEndpoints.eventTypes })
          .from(webhookEndpoints)
          .where(eq(webhookEndpoints.orgId, event.orgId))
      ).filter((e) => wantsType(e, event.type));
  const inserts = await Promise.all(
    endpoints.map((e) => deliveryInsert(db, { event, endpointId: e.id, now, initial: e.enabled ? PENDING : SKIPPED })),
  );
  await db.batch([
    db
      .update(webhookEvents)
      .set({ dispatchedAt: now })
      .where(and(eq(webhookEvents.id, event.id), isNull(webhookEvents.dispatchedAt))),
    ...inserts.map((i) => i.insert),
  ]);
  const pending = await db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.eventId, event.id), eq(webhookDeliveries.status, "pending")));
  await enqueueDeliveries(
    env,
    pending.map((d) => d.id),
  );
  return pending.length;
}
