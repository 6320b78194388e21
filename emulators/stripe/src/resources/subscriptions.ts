import { Hono } from "hono";
import { z } from "zod";
import { collectInvoice, type Invoice, issueSubscriptionInvoice, type LineInput } from "../billing/invoicing";
import { periodBoundary } from "../billing/periods";
import { changeItemPrices } from "../billing/plan-changes";
import { subscriptionDiscount } from "../billing/subscription-discounts";
import type { AppEnv } from "../context";
import { invalidRequest } from "../errors";
import { changedFields, emitEvent } from "../events";
import { newId } from "../ids";
import { boolString, mergeMetadata, metadata, parseParams } from "../params";
import type { ObjectStore, StripeObject } from "../store";
import type { CheckoutDiscount } from "./checkout-discounts";
import { listSchema, paramsSchema, respond, respondList } from "./common";
import { atCustomerTime, type Customer } from "./customers";
import type { Price } from "./prices";
import type { Product } from "./products";

export type SubscriptionItem = StripeObject & {
  price: Price;
  quantity?: number;
  current_period_start: number;
  current_period_end: number;
  subscription: string;
};

export type Subscription = StripeObject & {
  status: "incomplete" | "active" | "past_due" | "canceled" | "unpaid";
  customer: string;
  currency: string;
  billing_cycle_anchor: number;
  cancel_at_period_end: boolean;
  cancel_at: number | null;
  canceled_at: number | null;
  ended_at: number | null;
  application_fee_percent: number | null;
  automatic_tax: { disabled_reason: null; enabled: boolean; liability: unknown };
  transfer_data: { destination: string; amount_percent: number | null } | null;
  latest_invoice: string | null;
  metadata: Record<string, string>;
  items: { object: "list"; data: SubscriptionItem[]; has_more: boolean; url: string };
  test_clock: string | null;
};

export interface SubscriptionTerms {
  customer: string;
  items: { price: Price; quantity: number }[];
  metadata: Record<string, string>;
  applicationFeePercent?: number;
  transferData?: { destination: string; amount_percent?: number };
  /** The Checkout Session's discount: the subscription's invoices take it off while it lasts. */
  discount?: CheckoutDiscount;
  /** The Checkout Session's automatic tax: every invoice is taxed at the customer's country rate (resources/tax.ts). */
  automaticTax?: { liability: unknown };
  invoiceIssuer?: { type: "account" | "self"; account?: string };
}

const cancellationDetails = z.object({ comment: z.string().optional(), feedback: z.string().optional() }).strict().optional();
const updateParams = paramsSchema({
  cancel_at_period_end: boolString.optional(),
  metadata,
  cancellation_details: cancellationDetails,
  // A price change (a plan change) is prorated as billing/plan-changes.ts describes.
  items: z.array(z.object({ id: z.string().optional(), price: z.string().optional() }).strict()).optional(),
  proration_behavior: z.enum(["always_invoice", "create_prorations", "none"]).optional(),
});
const cancelParams = paramsSchema({
  cancellation_details: cancellationDetails,
  invoice_now: boolString.optional(),
  prorate: boolString.optional(),
});
const listParams = listSchema({
  customer: z.string().optional(),
  price: z.string().optional(),
  test_clock: z.string().optional(),
  status: z
    .enum(["active", "all", "canceled", "ended", "incomplete", "incomplete_expired", "past_due", "paused", "trialing", "unpaid"])
    .optional(),
});

const isMetered = (price: Price) => price.recurring?.usage_type === "metered";

/** The period every item of a subscription shares (Stripe keeps it on the items since 2025). */
export const currentPeriod = (subscription: Subscription) => ({
  start: subscription.items.data[0]!.current_period_start,
  end: subscription.items.data[0]!.current_period_end,
});

const productName = (store: ObjectStore, price: Price) => store.find<Product>("product", price.product)?.name ?? price.product;

/** Licensed items bill their quantity for the period ahead; metered ones bill `usage` for the period behind. */
export function licensedLines(store: ObjectStore, subscription: Subscription, period: { start: number; end: number }): LineInput[] {
  return subscription.items.data
    .filter((item) => !isMetered(item.price))
    .map((item) => ({ item, quantity: item.quantity ?? 1, period, productName: productName(store, item.price) }));
}

export function meteredLines(
  store: ObjectStore,
  subscription: Subscription,
  period: { start: number; end: number },
  usage: (price: Price) => number,
): LineInput[] {
  return subscription.items.data
    .filter((item) => isMetered(item.price))
    .map((item) => ({ item, quantity: usage(item.price), period, productName: productName(store, item.price) }));
}

/**
 * What a paid subscription-mode Checkout Session starts: an active subscription and its first invoice
 * (`billing_reason: subscription_create`), paid with the card just entered on the hosted page.
 */
export function startSubscription(store: ObjectStore, terms: SubscriptionTerms): { subscription: Subscription; invoice: Invoice } {
  const start = store.now();
  const recurring = terms.items.find((item) => item.price.recurring)!.price.recurring!;
  const periodEnd = periodBoundary(start, recurring, 1);
  const id = newId("subscription");
  const invoiceId = newId("invoice");
  const customer = store.get<Customer>("customer", terms.customer);
  const subscription: Subscription = {
    id,
    object: "subscription",
    application: null,
    application_fee_percent: terms.applicationFeePercent ?? null,
    automatic_tax: { disabled_reason: null, enabled: terms.automaticTax !== undefined, liability: terms.automaticTax?.liability ?? null },
    billing_cycle_anchor: start,
    billing_cycle_anchor_config: null,
    billing_thresholds: null,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, reason: null },
    collection_method: "charge_automatically",
    created: start,
    currency: terms.items[0]!.price.currency,
    customer: terms.customer,
    days_until_due: null,
    default_payment_method: null,
    default_source: null,
    description: null,
    discounts: terms.discount
      ? [subscriptionDiscount(store, { discount: terms.discount, subscription: id, customer: terms.customer })]
      : [],
    ended_at: null,
    invoice_settings: { account_tax_ids: null, issuer: terms.invoiceIssuer ?? { type: "self" } },
    items: {
      object: "list",
      data: terms.items.map((item) => ({
        id: newId("subscription_item"),
        object: "subscription_item",
        billing_thresholds: null,
        created: start,
        current_period_end: periodEnd,
        current_period_start: start,
        discounts: [],
        metadata: {},
        price: item.price,
        // Metered items carry no quantity: usage is reported instead.
        ...(isMetered(item.price) ? {} : { quantity: item.quantity }),
        subscription: id,
        tax_rates: [],
      })),
      has_more: false,
      url: `/v1/subscription_items?subscription=${id}`,
    },
    latest_invoice: invoiceId,
    livemode: false,
    metadata: terms.metadata,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: { payment_method_options: null, payment_method_types: null, save_default_payment_method: "off" },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: start,
    status: "active",
    test_clock: customer.test_clock,
    transfer_data: terms.transferData
      ? { destination: terms.transferData.destination, amount_percent: terms.transferData.amount_percent ?? null }
      : null,
    trial_end: null,
    trial_settings: { end_behavior: { missing_payment_method: "create_invoice" } },
    trial_start: null,
  };
  store.insert("subscription", subscription);
  emitEvent(store, "customer.subscription.created", subscription);
  const period = { start, end: periodEnd };
  const invoice = issueSubscriptionInvoice(store, subscription, {
    id: invoiceId,
    billingReason: "subscription_create",
    // Stripe's first invoice has an empty invoice period at the start; its lines carry the service period.
    periodStart: start,
    periodEnd: start,
    lines: [...licensedLines(store, subscription, period), ...meteredLines(store, subscription, period, () => 0)],
  });
  return { subscription, invoice: collectInvoice(store, invoice, { decline: null }).invoice };
}

/** Ends a subscription at emulator "now" (its period end, when renewals run) with `customer.subscription.deleted`. */
export function endSubscription(store: ObjectStore, subscription: Subscription, details?: { comment?: string; feedback?: string }) {
  const now = store.now();
  const ended: Subscription = {
    ...subscription,
    status: "canceled",
    canceled_at: subscription.canceled_at ?? now,
    ended_at: now,
    cancellation_details: {
      comment: details?.comment ?? null,
      feedback: details?.feedback ?? null,
      reason: "cancellation_requested",
    },
  };
  store.update(ended);
  emitEvent(store, "customer.subscription.deleted", ended);
  return ended;
}

/** Saves a changed subscription with `customer.subscription.updated` naming what changed. */
export function saveSubscription(store: ObjectStore, before: Subscription, after: Subscription): Subscription {
  store.update(after);
  const previousAttributes = changedFields(before, after);
  if (Object.keys(previousAttributes).length) {
    emitEvent(store, "customer.subscription.updated", after, { previousAttributes });
  }
  return after;
}

/**
 * What asking to cancel at the end of the period (`cancel`) sets, for the update route and the
 * billing portal: when it was asked and when it will end; undoing clears both; asking again changes nothing.
 */
export function cancelAtPeriodEndFields(
  store: ObjectStore,
  subscription: Subscription,
  cancel: boolean,
): Pick<Subscription, "cancel_at_period_end" | "cancel_at" | "canceled_at"> {
  if (cancel === subscription.cancel_at_period_end) {
    return { cancel_at_period_end: cancel, cancel_at: subscription.cancel_at, canceled_at: subscription.canceled_at };
  }
  return {
    cancel_at_period_end: cancel,
    cancel_at: cancel ? currentPeriod(subscription).end : null,
    canceled_at: cancel ? store.now() : null,
  };
}

function listStatusMatches(filter: z.output<typeof listParams>["status"], status: Subscription["status"]) {
  if (filter === "all") return true;
  if (filter === "ended") return status === "canceled";
  // Without a status filter Stripe lists every subscription that has not been canceled.
  if (filter === undefined) return status !== "canceled";
  return status === filter;
}

export const subscriptions = new Hono<AppEnv>()
  .get("/", (c) => {
    const params = parseParams(listParams, c.var.params);
    const matches = c.var.store
      .all<Subscription>("subscription")
      .filter(
        (s) =>
          listStatusMatches(params.status, s.status) &&
          (!params.customer || s.customer === params.customer) &&
          (!params.test_clock || s.test_clock === params.test_clock) &&
          (!params.price || s.items.data.some((item) => item.price.id === params.price)),
      );
    return respondList(c, matches, params);
  })
  .get("/:id", (c) => respond(c, c.var.store.get("subscription", c.req.param("id"))))
  .post("/:id", (c) => {
    const params = parseParams(updateParams, c.var.params);
    const store = c.var.store;
    const current = store.get<Subscription>("subscription", c.req.param("id"));
    if (current.status === "canceled" && params.cancel_at_period_end !== undefined) {
      throw invalidRequest("A canceled subscription can only update its cancellation_details and metadata.", "cancel_at_period_end");
    }
    return atCustomerTime(store, current.customer, () => {
      // The price change first (its own event and invoice), then the other fields on the result.
      const changed = params.items?.length
        ? changeItemPrices(store, current, params.items, params.proration_behavior).subscription
        : current;
      const next: Subscription = {
        ...changed,
        metadata: mergeMetadata(current.metadata, params.metadata),
        ...(params.cancel_at_period_end === undefined ? {} : cancelAtPeriodEndFields(store, changed, params.cancel_at_period_end)),
      };
      if (params.cancellation_details) {
        next.cancellation_details = {
          ...(current.cancellation_details as object),
          comment: params.cancellation_details.comment ?? null,
          feedback: params.cancellation_details.feedback ?? null,
        };
      }
      return respond(c, saveSubscription(store, changed, next));
    });
  })
  .delete("/:id", (c) => {
    const params = parseParams(cancelParams, c.var.params);
    const store = c.var.store;
    const current = store.get<Subscription>("subscription", c.req.param("id"));
    if (current.status === "canceled") {
      throw invalidRequest(`This subscription has already been canceled: ${current.id}.`, "subscription");
    }
    return respond(
      c,
      atCustomerTime(store, current.customer, () => endSubscription(store, current, params.cancellation_details)),
    );
  });
