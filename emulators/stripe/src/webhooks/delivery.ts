import type { ObjectStore } from "../store";
import { endpointsFor, findEndpoint } from "./endpoints";
import { signatureHeader } from "./signature";

/** Wait before each retry; after the last one the delivery is given up as failed. */
export const RETRY_DELAYS_MS = [5_000, 30_000, 2 * 60_000, 10 * 60_000, 60 * 60_000];
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
const ATTEMPT_TIMEOUT_MS = 10_000;

export type DeliveryRow = {
  id: number;
  event_id: string;
  endpoint_id: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  next_attempt_at: number;
  last_response_status: number | null;
};

/** Queues one delivery of the event per endpoint that wants it; returns how many. */
export function enqueueDeliveries(
  store: ObjectStore,
  event: { id: string; type: string; account: string | null },
  now = Date.now(),
): number {
  const endpoints = endpointsFor(store, event);
  for (const endpoint of endpoints) {
    store.sql.exec(
      "INSERT INTO webhook_deliveries (event_id, endpoint_id, status, next_attempt_at) VALUES (?, ?, 'pending', ?)",
      event.id,
      endpoint.id,
      now,
    );
  }
  return endpoints.length;
}

export function listDeliveries(store: ObjectStore, eventId?: string): DeliveryRow[] {
  const query = `SELECT * FROM webhook_deliveries${eventId ? " WHERE event_id = ?" : ""} ORDER BY id`;
  return store.sql.exec<DeliveryRow>(query, ...(eventId ? [eventId] : [])).toArray();
}

/** When the alarm should next fire: the earliest pending delivery. */
export function nextDeliveryAt(store: ObjectStore): number | undefined {
  const row = store.sql
    .exec<{ at: number | null }>("SELECT MIN(next_attempt_at) AS at FROM webhook_deliveries WHERE status = 'pending'")
    .one();
  return row.at ?? undefined;
}

/**
 * Attempts every delivery that is due. A 2xx answer delivers it; anything else (or no answer) schedules
 * the next retry, and after MAX_ATTEMPTS the delivery is marked failed. Each endpoint gets its events
 * one after another in the order they happened (Stripe does not promise order, but a receiver that
 * sees `invoice.paid` before `invoice.created` makes tests flaky); endpoints are served in parallel.
 */
export async function deliverDue(store: ObjectStore, now = Date.now()): Promise<void> {
  const due = store.sql
    .exec<DeliveryRow>("SELECT * FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id", now)
    .toArray();
  const byEndpoint = new Map<string, DeliveryRow[]>();
  for (const delivery of due) byEndpoint.set(delivery.endpoint_id, [...(byEndpoint.get(delivery.endpoint_id) ?? []), delivery]);
  await Promise.all(
    [...byEndpoint.values()].map(async (deliveries) => {
      for (const delivery of deliveries) await attempt(store, delivery);
    }),
  );
}

async function attempt(store: ObjectStore, delivery: DeliveryRow): Promise<void> {
  const endpoint = findEndpoint(store, delivery.endpoint_id);
  const event = store.findInAnyAccount("event", delivery.event_id);
  if (!endpoint || !event) {
    store.sql.exec("UPDATE webhook_deliveries SET status = 'failed' WHERE id = ?", delivery.id);
    return;
  }
  // Stripe sends events pretty-printed; the signature covers these exact bytes.
  const payload = JSON.stringify(event, null, 2);
  let responseStatus: number | null = null;
  try {
    const response = await fetch(endpoint.url, {
      method: "POST",
      headers: {
        "content-type": "application/json; charset=utf-8",
        "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        "stripe-signature": await signatureHeader(payload, endpoint.secret),
      },
      body: payload,
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
    });
    responseStatus = response.status;
    await response.body?.cancel();
  } catch {
    responseStatus = null;
  }
  const attempts = delivery.attempts + 1;
  const delivered = responseStatus !== null && responseStatus >= 200 && responseStatus < 300;
  const status = delivered ? "delivered" : attempts >= MAX_ATTEMPTS ? "failed" : "pending";
  const nextAttemptAt = Date.now() + (RETRY_DELAYS_MS[attempts - 1] ?? 0);
  store.sql.exec(
    "UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, last_response_status = ? WHERE id = ?",
    status,
    attempts,
    nextAttemptAt,
    responseStatus,
    delivery.id,
  );
}
