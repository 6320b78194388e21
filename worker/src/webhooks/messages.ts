/** The delivery log as an org sees it, and the ways to deliver again: resend, recover, test. */
import { and, desc, eq, inArray, lt, lte, or, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { decodePageCursor, encodePageCursor, type ListQueryT } from "../../../shared/webhooks";
import type { Ctx } from "../context";
import type { Db } from "../db/client";
import { AppError } from "../http/errors";
import { deliveryInsert } from "./dispatch";
import { ownEndpoint } from "./endpoints";
import { enqueueDeliveries, webhookEvent } from "./outbox";
import { startRecovery } from "./recovery";
import { webhookAttempts, webhookDeliveries, webhookEvents } from "./tables";

/** One message of an org, and one of its endpoints. */
interface MessageTo {
  orgId: string;
  eventId: string;
  endpointId: string;
}

/**
 * Rows after the cursor in `ORDER BY created_at DESC, id DESC`: the same rows as
 * `created_at < t OR (created_at = t AND id < i)`, with the bound on created_at alone so that
 * the (…, created_at) indexes narrow the scan.
 */
function after(columns: { createdAt: SQLiteColumn; id: SQLiteColumn }, cursor: string | undefined): SQL | undefined {
  if (cursor === undefined) return undefined;
  const at = decodePageCursor(cursor);
  if (!at) throw new AppError("invalid_request", "The cursor is not valid", { fields: { "query.cursor": ["is not a valid cursor"] } });
  return and(lte(columns.createdAt, at.createdAt), or(lt(columns.createdAt, at.createdAt), lt(columns.id, at.id)));
}

/** One more row than the page is read: it says whether there is a next page. */
function pageOf<T extends { createdAt: number; id: string }>(rows: T[], limit: number) {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { page, nextCursor: rows.length > limit && last ? encodePageCursor(last) : null };
}

const deliveryFields = {
  eventId: webhookDeliveries.eventId,
  endpointId: webhookDeliveries.endpointId,
  status: webhookDeliveries.status,
  attempts: webhookDeliveries.attempts,
  lastStatusCode: webhookDeliveries.lastStatusCode,
  lastError: webhookDeliveries.lastError,
  deliveredAt: webhookDeliveries.deliveredAt,
};

/** The org's events, newest first, each with its deliveries. */
export async function listMessages({ db }: Ctx, { orgId, query }: { orgId: string; query: ListQueryT }) {
  const rows = await db
    .select()
    .from(webhookEvents)
    .where(and(eq(webhookEvents.orgId, orgId), after(webhookEvents, query.cursor)))
    .orderBy(desc(webhookEvents.createdAt), desc(webhookEvents.id))
    .limit(query.limit + 1);
  const { page: events, nextCursor } = pageOf(rows, query.limit);
  const deliveries = events.length
    ? await db
        .select(deliveryFields)
        .from(webhookDeliveries)
        .where(
          inArray(
            webhookDeliveries.eventId,
            events.map((e) => e.id),
          ),
        )
    : [];
  const data = events.map((e) => ({
    id: e.id,
    type: e.type,
    payload: JSON.parse(e.payload) as unknown,
    createdAt: e.createdAt,
    deliveries: deliveries.filter((d) => d.eventId === e.id).map(({ eventId: _event, ...d }) => d),
  }));
  return { data, nextCursor };
}

/** The org's event; 404 for another org's, as if it did not exist. */
async function ownEvent(db: Db, orgId: string, eventId: string) {
  const [event] = await db
    .select()
    .from(webhookEvents)
    .where(and(eq(webhookEvents.id, eventId), eq(webhookEvents.orgId, orgId)))
    .limit(1);
  if (!event) throw new AppError("not_found", "Webhook message not found");
  return event;
}

export async function getMessage({ db }: Ctx, { orgId, eventId }: { orgId: string; eventId: string }) {
  const event = await ownEvent(db, orgId, eventId);
  const deliveries = await db.select(deliveryFields).from(webhookDeliveries).where(eq(webhookDeliveries.eventId, event.id));
  return {
    id: event.id,
    type: event.type,
    payload: JSON.parse(event.payload) as unknown,
    createdAt: event.createdAt,
    deliveries: deliveries.map(({ eventId: _event, ...d }) => d),
  };
}

/** Attempts, newest first: of one endpoint, or of one message (404 unless it is the org's). */
export async function listAttempts(
  { db }: Ctx,
  { orgId, of, query }: { orgId: string; of: { endpointId: string } | { eventId: string }; query: ListQueryT },
) {
  if ("endpointId" in of) await ownEndpoint(db, orgId, of.endpointId);
  else await ownEvent(db, orgId, of.eventId);
  const which = "endpointId" in of ? eq(webhookAttempts.endpointId, of.endpointId) : eq(webhookAttempts.eventId, of.eventId);
  const rows = await db
    .select()
    .from(webhookAttempts)
    .where(and(eq(webhookAttempts.orgId, orgId), which, after(webhookAttempts, query.cursor)))
    .orderBy(desc(webhookAttempts.createdAt), desc(webhookAttempts.id))
    .limit(query.limit + 1);
  const { page, nextCursor } = pageOf(rows, query.limit);
  return { data: page.map(({ orgId: _org, deliveryId: _delivery, ...a }) => a), nextCursor };
}

/** Sends one message to one endpoint again (also one it never went to, e.g. added later). */
export async function resendMessage({ env, db }: Ctx, { orgId, eventId, endpointId }: MessageTo) {
  const endpoint = await ownEndpoint(db, orgId, endpointId);
  const event = await ownEvent(db, orgId, eventId);
  if (!endpoint.enabled) throw new AppError("conflict", "This endpoint is disabled; enable it first");
  const now = Date.now();
  const delivery = await deliveryInsert(db, { event, endpointId: endpoint.id, now });
  await db.batch([
    delivery.insert,
    db.update(webhookDeliveries).set({ status: "pending", leasedUntil: null, updatedAt: now }).where(eq(webhookDeliveries.id, delivery.id)),
  ]);
  await enqueueDeliveries(env, [delivery.id]);
  return delivery.id;
}

/** Every failed or skipped delivery of the endpoint since `since`, sent again in event order (recovery.ts). Returns how many. */
export async function recoverMessages(ctx: Ctx, { orgId, endpointId, since }: { orgId: string; endpointId: string; since: number }) {
  const endpoint = await ownEndpoint(ctx.db, orgId, endpointId);
  if (!endpoint.enabled) throw new AppError("conflict", "This endpoint is disabled; enable it first");
  return startRecovery(ctx, { endpointId: endpoint.id, since });
}

/** A `webhook.test` event to this endpoint only. */
export async function sendTestEvent({ env, db }: Ctx, { orgId, endpointId }: { orgId: string; endpointId: string }) {
  const endpoint = await ownEndpoint(db, orgId, endpointId);
  const now = Date.now();
  const event = await webhookEvent(db, orgId, "webhook.test", { endpointId: endpoint.id, message: "A test event from Plaza" }, { now });
  const delivery = await deliveryInsert(db, { event: { id: event.id, orgId }, endpointId: endpoint.id, now });
  // Marked dispatched: the test goes to this endpoint, not to every endpoint of the org.
  await db.batch([
    event.insert,
    db.update(webhookEvents).set({ dispatchedAt: now }).where(eq(webhookEvents.id, event.id)),
    delivery.insert,
  ]);
  await enqueueDeliveries(env, [delivery.id]);
  return event.id;
}
