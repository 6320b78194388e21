import { newId, nowSeconds } from "./ids";
import type { ObjectStore, StripeObject } from "./store";
import { enqueueDeliveries } from "./webhooks/delivery";

/** The API version events are rendered in: the one the bundled SDK pins. */
export const EVENT_API_VERSION = "2026-10-28.endive";

/**
 * Records an event with a snapshot of the object as it is now and queues its webhook deliveries.
 * The Durable Object sets its alarm after each request, so deliveries start right away.
 */
export function emitEvent(
  store: ObjectStore,
  type: string,
  object: StripeObject,
  previousAttributes?: Record<string, unknown>,
): StripeObject {
  const id = newId("event");
  const pending = enqueueDeliveries(store, id);
  const event: StripeObject = {
    id,
    object: "event",
    api_version: EVENT_API_VERSION,
    created: nowSeconds(),
    data: { object: structuredClone(object), ...(previousAttributes ? { previous_attributes: previousAttributes } : {}) },
    livemode: false,
    pending_webhooks: pending,
    request: { id: null, idempotency_key: null },
    type,
  };
  return store.insert("event", event);
}
