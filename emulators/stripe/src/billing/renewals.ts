import { newId } from "../ids";
import type { Customer } from "../resources/customers";
import { meterUsage } from "../resources/meter-events";
import type { Meter } from "../resources/meters";
import type { Price } from "../resources/prices";
import {
  currentPeriod,
  endSubscription,
  licensedLines,
  meteredLines,
  type Subscription,
  saveSubscription,
} from "../resources/subscriptions";
import type { ObjectStore } from "../store";
import { collectInvoice, type Invoice, issueSubscriptionInvoice } from "./invoicing";
import { nextPeriodEnd } from "./periods";

/** What one run of billing did, for the admin route's answer and test clock logs. */
export interface BillingReport {
  invoices: string[];
  canceled_subscriptions: string[];
}

type Due =
  | { at: number; kind: "period_end"; account: string | null; subscription: Subscription }
  | { at: number; kind: "retry"; account: string | null; invoice: Invoice };

/** Guards against a loop that never ends (a year of daily renewals across many subscriptions is far below). */
const MAX_STEPS = 10_000;

/**
 * Bills everything that fell due up to `until`, in time order, each step at its own moment: a period
 * end renews (or ends a subscription set to cancel at period end), a scheduled retry re-attempts an
 * open invoice. `inScope` picks the customers this clock drives (no test clock, or one test clock).
 */
export function billUntil(platform: ObjectStore, until: number, inScope: (customer: Customer | undefined) => boolean): BillingReport {
  const report: BillingReport = { invoices: [], canceled_subscriptions: [] };
  for (let step = 0; step < MAX_STEPS; step++) {
    const due = nextDue(platform, until, inScope);
    if (!due) break;
    const store = platform.forAccount(due.account);
    store.clock.at(due.at, () => {
      if (due.kind === "retry") {
        collectInvoice(store, due.invoice);
        report.invoices.push(due.invoice.id);
      } else if (due.subscription.cancel_at_period_end) {
        endSubscription(store, due.subscription);
        report.canceled_subscriptions.push(due.subscription.id);
      } else {
        report.invoices.push(renew(store, due.subscription).id);
      }
    });
  }
  return report;
}

function nextDue(platform: ObjectStore, until: number, inScope: (customer: Customer | undefined) => boolean): Due | undefined {
  let earliest: Due | undefined;
  const consider = (due: Due) => {
    if (due.at <= until && (!earliest || due.at < earliest.at)) earliest = due;
  };
  for (const account of platform.accountsWith("subscription")) {
    const store = platform.forAccount(account);
    const live = new Map<string, Subscription>();
    for (const subscription of store.all<Subscription>("subscription")) {
      if (subscription.status === "canceled" || !inScope(store.find<Customer>("customer", subscription.customer))) continue;
      live.set(subscription.id, subscription);
      consider({ at: currentPeriod(subscription).end, kind: "period_end", account, subscription });
    }
    // Retries stop once a subscription is canceled.
    for (const invoice of store.all<Invoice>("invoice")) {
      const attempt = invoice.next_payment_attempt;
      if (invoice.status === "open" && attempt !== null && live.has(invoice.parent.subscription_details.subscription)) {
        consider({ at: attempt, kind: "retry", account, invoice });
      }
    }
  }
  return earliest;
}

/**
 * A renewal at the period end: licensed items are billed for the period ahead, metered items for the
 * usage their meter counted in the period that just ended; then the period moves on and the
 * invoice is collected (`billing_reason: subscription_cycle`).
 */
function renew(store: ObjectStore, subscription: Subscription): Invoice {
  const ended = currentPeriod(subscription);
  const recurrence = subscription.items.data[0]!.price.recurring!;
  const next = { start: ended.end, end: nextPeriodEnd(subscription.billing_cycle_anchor, recurrence, ended.end) };
  const usage = (price: Price) => {
    const meter = price.recurring?.meter ? store.find<Meter>("billing.meter", price.recurring.meter) : undefined;
    return meter ? meterUsage(store, meter, subscription.customer, ended.start, ended.end) : 0;
  };
  const invoiceId = newId("invoice");
  const renewed = saveSubscription(store, subscription, {
    ...subscription,
    latest_invoice: invoiceId,
    items: {
      ...subscription.items,
      data: subscription.items.data.map((item) => ({ ...item, current_period_start: next.start, current_period_end: next.end })),
    },
  });
  const invoice = issueSubscriptionInvoice(store, renewed, {
    id: invoiceId,
    billingReason: "subscription_cycle",
    periodStart: ended.start,
    periodEnd: ended.end,
    lines: [...licensedLines(store, renewed, next), ...meteredLines(store, renewed, ended, usage)],
  });
  return collectInvoice(store, invoice).invoice;
}
