import { newId } from "./ids";
import type { ObjectStore, StripeObject } from "./store";
import { enqueueDeliveries } from "./webhooks/delivery";

/** The API version events are rendered in: the one the bundled SDK pins. */
export const EVENT_API_VERSION = "2026-10-28.endive";

export interface EmitOptions {
  previousAttributes?: Record<string, unknown>;
  /** The connected account the event concerns; defaults to the account the store acts for. */
  account?: string | null;
}

/**
 * Records an event with a snapshot of the object as it is now and queues its webhook deliveries.
 * Events about a connected account carry `account`, live in that account's event list, and go to
 * Connect endpoints only; all others go to platform endpoints only, as in Stripe.
 * The Durable Object sets its alarm after each request, so deliveries start right away.
 */
export function emitEvent(store: ObjectStore, type: string, object: StripeObject, options: EmitOptions = {}): StripeObject {
  const account = options.account === undefined ? store.account : options.account;
  const id = newId("event");
  const pending = enqueueDeliveries(store, { id, type, account });
  const event: StripeObject = {
    id,
    object: "event",
    ...(account ? { account } : {}),
    api_version: EVENT_API_VERSION,
    created: store.now(),
    data: {
      object: structuredClone(object),
      ...(options.previousAttributes ? { previous_attributes: options.previousAttributes } : {}),
    },
    livemode: false,
    pending_webhooks: pending,
    request: { id: null, idempotency_key: null },
    type,
  };
  return store.forAccount(account).insert("event", event);
}

/** The fields of `before` whose values differ in `after`: an event's `previous_attributes`. */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const previous: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(before)) {
    if (JSON.stringify(value) !== JSON.stringify(after[key])) previous[key] = value;
  }
  return previous;
}
