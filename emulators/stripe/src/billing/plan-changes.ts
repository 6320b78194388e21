/**
 * Changing a subscription item's price, as Stripe prorates it: the unused time of the old price is
 * credited and the new price charged. Switching interval (monthly ↔ yearly) resets the billing cycle
 * anchor to now and invoices at once: the credit plus the new price for a whole new period. Within
 * the same interval, `always_invoice` invoices the credit and the remaining time at the new price now.
 * `invoices.createPreview` shows the same invoice's amounts without making the change.
 */
import { invalidRequest } from "../errors";
import { newId } from "../ids";
import type { Customer } from "../resources/customers";
import type { Price } from "../resources/prices";
import type { Product } from "../resources/products";
import { currentPeriod, licensedLines, type Subscription, saveSubscription } from "../resources/subscriptions";
import type { ObjectStore } from "../store";
import { collectInvoice, type Invoice, issueSubscriptionInvoice, type LineInput } from "./invoicing";
import { periodBoundary } from "./periods";

export type ProrationBehavior = "always_invoice" | "create_prorations" | "none";
export interface ItemChange {
  id?: string;
  price?: string;
}

const unitAmount = (price: Price) => Number(price.unit_amount_decimal ?? price.unit_amount ?? 0);
const sameRecurrence = (a: Price, b: Price) =>
  a.recurring?.interval === b.recurring?.interval && a.recurring?.interval_count === b.recurring?.interval_count;
const day = (time: number) => new Date(time * 1000).toISOString().slice(0, 10);

interface PlanChange {
  /** The subscription after the change (not saved yet). */
  next: Subscription;
  /** The invoice's lines when the change is invoiced now; undefined when it is not. */
  lines?: LineInput[];
}

/** What a change would do, checked as Stripe checks it: the subscription after it and the invoice's lines. */
function planChange(store: ObjectStore, current: Subscription, changes: ItemChange[], behavior: ProrationBehavior): PlanChange {
  if (current.status === "canceled") throw invalidRequest("A canceled subscription cannot change its items.", "items");
  const now = store.now();
  const period = currentPeriod(current);
  const replaced = changes.map((change, index) => {
    const item = current.items.data.find((i) => i.id === change.id);
    if (!item) throw invalidRequest(`No such subscription item: '${change.id ?? ""}'`, `items[${index}][id]`, "resource_missing");
    if (!change.price) throw invalidRequest("Missing required param: price.", `items[${index}][price]`, "parameter_missing");
    const price = store.get<Price>("price", change.price, `items[${index}][price]`);
    if (!price.recurring || price.recurring.usage_type === "metered" || item.price.recurring?.usage_type === "metered") {
      throw invalidRequest("Only licensed recurring prices can replace a licensed recurring price.", `items[${index}][price]`);
    }
    if (price.currency !== current.currency) throw invalidRequest("All prices must be in the same currency.", `items[${index}][price]`);
    return { item, price };
  });
  const intervalChanged = replaced.some(({ item, price }) => !sameRecurrence(item.price, price));
  if (replaced.length > 0 && !intervalChanged && behavior === "create_prorations") {
    // Stripe would leave pending invoice items for the next invoice; the emulator keeps no pending items.
    throw invalidRequest(
      "The emulator prorates a change within the same interval only with proration_behavior=always_invoice or none.",
      "proration_behavior",
    );
  }
  const newPrice = new Map(replaced.map(({ item, price }) => [item.id, price]));
  const recurrence = replaced[0]?.price.recurring;
  const nextPeriod = intervalChanged && recurrence ? { start: now, end: periodBoundary(now, recurrence, 1) } : period;
  const next: Subscription = {
    ...current,
    ...(intervalChanged ? { billing_cycle_anchor: now } : {}),
    items: {
      ...current.items,
      data: current.items.data.map((item) => ({
        ...item,
        price: newPrice.get(item.id) ?? item.price,
        current_period_start: nextPeriod.start,
        current_period_end: nextPeriod.end,
      })),
    },
  };
  if (!intervalChanged && (behavior !== "always_invoice" || replaced.length === 0)) return { next };

  // The share of the current period not yet used, by the second, as Stripe prorates.
  const unused = Math.max(0, period.end - now) / (period.end - period.start);
  const productName = (price: Price) => store.find<Product>("product", price.product)?.name ?? price.product;
  const prorations: LineInput[] = [];
  for (const { item, price } of replaced) {
    const quantity = item.quantity ?? 1;
    const credit = Math.round(unitAmount(item.price) * quantity * unused);
    if (behavior !== "none" && credit > 0) {
      prorations.push({
        item,
        quantity,
        period: { start: now, end: period.end },
        productName: productName(item.price),
        proration: { amount: -credit, description: `Unused time on ${quantity} × ${productName(item.price)} after ${day(now)}` },
      });
    }
    if (!intervalChanged) {
      prorations.push({
        item: { ...item, price },
        quantity,
        period: { start: now, end: period.end },
        productName: productName(price),
        proration: {
          amount: Math.round(unitAmount(price) * quantity * unused),
          description: `Remaining time on ${quantity} × ${productName(price)} after ${day(now)}`,
        },
      });
    }
  }
  // A new billing period is billed whole, after the credit for the old one.
  return { next, lines: [...prorations, ...(intervalChanged ? licensedLines(store, next, nextPeriod) : [])] };
}

export function changeItemPrices(
  store: ObjectStore,
  current: Subscription,
  changes: ItemChange[],
  behavior: ProrationBehavior = "create_prorations",
): { subscription: Subscription; invoice?: Invoice } {
  const { next, lines } = planChange(store, current, changes, behavior);
  const invoiceId = lines ? newId("invoice") : null;
  const subscription = saveSubscription(store, current, invoiceId ? { ...next, latest_invoice: invoiceId } : next);
  if (!invoiceId || !lines) return { subscription };
  const now = store.now();
  const invoice = issueSubscriptionInvoice(store, subscription, {
    id: invoiceId,
    billingReason: "subscription_update",
    periodStart: now,
    periodEnd: now,
    lines,
  });
  return { subscription: store.get<Subscription>("subscription", subscription.id), invoice: collectInvoice(store, invoice).invoice };
}

/**
 * `POST /v1/invoices/create_preview` for a subscription change: the amounts of the invoice the change
 * would make now (nothing is saved), its lines' amounts, and the customer's balance it starts from.
 */
export function previewItemPrices(store: ObjectStore, current: Subscription, changes: ItemChange[], behavior: ProrationBehavior) {
  const { lines = [] } = planChange(store, current, changes, behavior);
  const customer = store.get<Customer>("customer", current.customer);
  const total = lines.reduce((sum, line) => sum + (line.proration?.amount ?? Math.round(unitAmount(line.item.price) * line.quantity)), 0);
  const startingBalance = Number(customer.balance ?? 0);
  const due = Math.max(0, startingBalance + total);
  return {
    id: `upcoming_${newId("invoice")}`,
    object: "invoice",
    billing_reason: "subscription_update",
    customer: customer.id,
    currency: current.currency,
    subtotal: total,
    total,
    amount_due: due,
    amount_paid: 0,
    amount_remaining: due,
    starting_balance: startingBalance,
    ending_balance: Math.min(0, startingBalance + total),
    status: "draft",
    parent: {
      type: "subscription_details",
      subscription_details: { subscription: current.id, metadata: { ...current.metadata } },
      quote_details: null,
    },
    lines: {
      object: "list",
      data: lines.map((line) => ({
        object: "line_item",
        amount: line.proration?.amount ?? Math.round(unitAmount(line.item.price) * line.quantity),
        currency: current.currency,
        description: line.proration?.description ?? line.productName,
        period: line.period,
        pricing: { type: "price_details", price_details: { price: line.item.price.id, product: line.item.price.product } },
        quantity: line.quantity,
      })),
      has_more: false,
    },
  };
}
