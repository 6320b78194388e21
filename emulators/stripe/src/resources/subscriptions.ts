import { Hono } from "hono";
import type { AppEnv } from "../context";
import { emitEvent } from "../events";
import { newId, nowSeconds } from "../ids";
import type { ObjectStore, StripeObject } from "../store";
import { respond } from "./common";
import type { Price } from "./prices";

const INTERVAL_SECONDS = { day: 86_400, week: 7 * 86_400, month: 30 * 86_400, year: 365 * 86_400 } as const;

/**
 * The active subscription a paid subscription-mode Checkout Session starts. Its lifecycle (renewals,
 * invoices, cancellation) is not emulated yet; see the README.
 */
export function startSubscription(
  store: ObjectStore,
  customer: string,
  items: { price: Price; quantity: number }[],
  metadata: Record<string, string>,
): StripeObject {
  const start = nowSeconds();
  const recurring = items.find((item) => item.price.recurring)?.price.recurring;
  const periodEnd = start + INTERVAL_SECONDS[(recurring?.interval ?? "month") as keyof typeof INTERVAL_SECONDS] * (recurring?.interval_count ?? 1);
  const id = newId("subscription");
  const subscription: StripeObject = {
    id,
    object: "subscription",
    cancel_at_period_end: false,
    canceled_at: null,
    created: start,
    currency: items[0]!.price.currency,
    customer,
    items: {
      object: "list",
      data: items.map((item) => ({
        id: newId("subscription_item"),
        object: "subscription_item",
        created: start,
        current_period_start: start,
        current_period_end: periodEnd,
        price: item.price,
        // Metered items carry no quantity: usage is reported instead.
        quantity: item.price.recurring?.usage_type === "metered" ? undefined : item.quantity,
        subscription: id,
      })),
      has_more: false,
      url: `/v1/subscription_items?subscription=${id}`,
    },
    livemode: false,
    metadata,
    start_date: start,
    status: "active",
  };
  store.insert("subscription", subscription);
  emitEvent(store, "customer.subscription.created", subscription);
  return subscription;
}

export const subscriptions = new Hono<AppEnv>().get("/:id", (c) => respond(c, c.env.store.get("subscription", c.req.param("id"))));
