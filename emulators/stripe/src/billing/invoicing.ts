import { changedFields, emitEvent } from "../events";
import { newId } from "../ids";
import type { Account } from "../resources/accounts";
import type { Customer, CustomerInternal } from "../resources/customers";
import { createInvoicePayment, markInvoicePaymentPaid, paymentsOfInvoice } from "../resources/invoice-payments";
import { attemptPayment, createPaymentIntent, type Decline, type PaymentIntent } from "../resources/payments";
import type { Price } from "../resources/prices";
import type { Subscription } from "../resources/subscriptions";
import { invoiceTax } from "../resources/tax";
import type { ObjectStore, StripeObject } from "../store";
import { invoiceDiscount } from "./subscription-discounts";

export type InvoiceLine = StripeObject & {
  amount: number;
  period: { start: number; end: number };
  pricing: { type: "price_details"; price_details: { price: string; product: string }; unit_amount_decimal: string | null };
  quantity: number | null;
};

export type Invoice = StripeObject & {
  status: "draft" | "open" | "paid" | "void" | "uncollectible";
  billing_reason: "subscription_create" | "subscription_cycle" | "subscription_update";
  customer: string;
  currency: string;
  amount_due: number;
  amount_paid: number;
  amount_remaining: number;
  attempt_count: number;
  attempted: boolean;
  next_payment_attempt: number | null;
  parent: {
    type: "subscription_details";
    subscription_details: { subscription: string; metadata: Record<string, string> };
    quote_details: null;
  };
  lines: { object: "list"; data: InvoiceLine[]; has_more: boolean; url: string };
  status_transitions: {
    finalized_at: number | null;
    marked_uncollectible_at: number | null;
    paid_at: number | null;
    voided_at: number | null;
  };
  period_start: number;
  period_end: number;
};

/** Where an invoice's payment stands, kept off the public object (2026 invoices name no payment intent). */
interface InvoiceInternal {
  paymentIntent?: string;
  invoicePayment?: string;
}

/**
 * After a failed automatic attempt, the next one comes this many days later (a fixed stand-in for
 * Stripe's Smart Retries); after the last, `next_payment_attempt` is null and the invoice stays open.
 */
export const RETRY_DELAYS_DAYS = [1, 3, 5];

export interface LineInput {
  item: { id: string; price: Price; quantity?: number };
  quantity: number;
  period: { start: number; end: number };
  productName: string;
  /** A proration line (a plan change): its own amount (negative for unused time credited) and description. */
  proration?: { amount: number; description: string };
}

const formatMoney = (amount: number, currency: string) => `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`;

/** `unit_amount_decimal` carries sub-cent prices (common for metered usage); the line rounds to whole units. */
const unitAmount = (price: Price) => Number(price.unit_amount_decimal ?? price.unit_amount ?? 0);

function line(invoiceId: string, subscription: Subscription, input: LineInput): InvoiceLine {
  const { price } = input.item;
  const amount = input.proration?.amount ?? Math.round(unitAmount(price) * input.quantity);
  const interval = price.recurring ? ` / ${price.recurring.interval}` : "";
  return {
    id: newId("invoice_line_item"),
    object: "line_item",
    amount,
    currency: price.currency,
    description:
      input.proration?.description ??
      `${input.quantity} × ${input.productName} (at ${formatMoney(unitAmount(price), price.currency)}${interval})`,
    discount_amounts: [],
    discountable: true,
    discounts: [],
    invoice: invoiceId,
    livemode: false,
    metadata: {},
    parent: {
      type: "subscription_item_details",
      invoice_item_details: null,
      subscription_item_details: {
        invoice_item: null,
        proration: input.proration !== undefined,
        proration_details: { credited_items: null },
        subscription: subscription.id,
        subscription_item: input.item.id,
      },
    },
    period: input.period,
    pretax_credit_amounts: [],
    pricing: {
      type: "price_details",
      price_details: { price: price.id, product: price.product },
      unit_amount_decimal: String(unitAmount(price)),
    },
    quantity: input.quantity,
    subscription: subscription.id,
    subtotal: amount,
    taxes: [],
  };
}

/**
 * A subscription's invoice, created as a draft (`invoice.created`) and finalized at once
 * (`invoice.finalized`): the emulator skips the hour Stripe waits before finalizing renewals.
 */
export function issueSubscriptionInvoice(
  store: ObjectStore,
  subscription: Subscription,
  options: { id: string; billingReason: Invoice["billing_reason"]; periodStart: number; periodEnd: number; lines: LineInput[] },
): Invoice {
  const customer = store.get<Customer>("customer", subscription.customer);
  const lines = options.lines.map((input) => line(options.id, subscription, input));
  const subtotal = lines.reduce((sum, l) => sum + l.amount, 0);
  // A renewal bills the new period (licensed lines) and the usage of the one that ended: the newest start is the invoice's.
  const serviceStart = Math.max(...options.lines.map((l) => l.period.start));
  const discount = invoiceDiscount(store, subscription, { billingReason: options.billingReason, serviceStart }, subtotal);
  const totalExcludingTax = subtotal - (discount?.amount ?? 0);
  // Automatic tax (resources/tax.ts) on what is left after the discount, added on top.
  const tax = invoiceTax(store, subscription.automatic_tax, customer, totalExcludingTax);
  const total = totalExcludingTax + (tax?.amount ?? 0);
  // The customer's credit balance (negative) pays first; a negative total (credited unused time) adds to it.
  const startingBalance = Number(customer.balance ?? 0);
  const endingBalance = Math.min(0, startingBalance + total);
  const due = Math.max(0, startingBalance + total);
  const created = store.now();
  const draft: Invoice = {
    id: options.id,
    object: "invoice",
    account_country: "US",
    account_name: "Stripe emulator",
    account_tax_ids: null,
    amount_due: due,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: due,
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: true,
    automatic_tax: tax?.automatic_tax ?? { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: options.billingReason,
    collection_method: "charge_automatically",
    created,
    currency: subscription.currency,
    custom_fields: null,
    customer: customer.id,
    customer_account: null,
    customer_address: tax?.customer_address ?? null,
    customer_email: customer.email,
    customer_name: (customer.name as string | null) ?? null,
    customer_phone: null,
    customer_shipping: null,
    customer_tax_exempt: "none",
    customer_tax_ids: tax?.customer_tax_ids ?? [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: discount ? [discount.discount] : [],
    due_date: null,
    effective_at: null,
    ending_balance: null,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: "self" },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: "list", data: lines, has_more: false, url: `/v1/invoices/${options.id}/lines` },
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    parent: {
      type: "subscription_details",
      quote_details: null,
      // A snapshot: later changes to the subscription's metadata do not reach issued invoices.
      subscription_details: { subscription: subscription.id, metadata: { ...subscription.metadata } },
    },
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: options.periodEnd,
    period_start: options.periodStart,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: startingBalance,
    statement_descriptor: null,
    status: "draft",
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subtotal,
    subtotal_excluding_tax: subtotal,
    test_clock: customer.test_clock,
    total,
    total_discount_amounts: discount ? [{ amount: discount.amount, discount: discount.discount }] : [],
    total_excluding_tax: totalExcludingTax,
    total_pretax_credit_amounts: [],
    total_taxes: tax?.total_taxes ?? [],
    webhooks_delivered_at: created,
  };
  store.insert("invoice", draft, {} satisfies InvoiceInternal);
  emitEvent(store, "invoice.created", draft);
  const sequence = store.all<Invoice>("invoice").filter((invoice) => invoice.customer === customer.id).length;
  if (endingBalance !== startingBalance) store.update({ ...customer, balance: endingBalance });
  const open: Invoice = {
    ...draft,
    effective_at: created,
    ending_balance: endingBalance,
    number: `${customer.invoice_prefix}-${String(sequence).padStart(4, "0")}`,
    status: "open",
    status_transitions: { ...draft.status_transitions, finalized_at: created },
  };
  store.update(open);
  emitEvent(store, "invoice.finalized", open);
  return open;
}

/**
 * Why an automatic payment for this invoice would fail now: the customer set to decline (an admin
 * route), or a destination account that can no longer take charges; undefined when it would go through.
 */
function declineFor(store: ObjectStore, invoice: Invoice, subscription: Subscription): Decline | undefined {
  if (store.internal<CustomerInternal>(invoice.customer)?.failPayments) {
    return { code: "card_declined", message: "Your card was declined." };
  }
  const destination = subscription.transfer_data?.destination;
  if (destination && !store.find<Account>("account", destination)?.charges_enabled) {
    return {
      code: "insufficient_capabilities_for_transfer",
      message: `The destination account ${destination} cannot take charges (charges_enabled is false).`,
    };
  }
  return undefined;
}

/** The invoice's payment intent, made on the first attempt and reused by every retry, as in Stripe. */
function paymentIntentFor(store: ObjectStore, invoice: Invoice, subscription: Subscription): PaymentIntent {
  const internal = store.internal<InvoiceInternal>(invoice.id) ?? {};
  if (internal.paymentIntent) return store.get<PaymentIntent>("payment_intent", internal.paymentIntent);
  const percent = subscription.application_fee_percent;
  const destination = subscription.transfer_data?.destination;
  const paymentIntent = createPaymentIntent(store, {
    amount: invoice.amount_due,
    currency: invoice.currency,
    customer: invoice.customer,
    receiptEmail: (invoice.customer_email as string | null) ?? null,
    description: invoice.billing_reason === "subscription_create" ? "Subscription creation" : "Subscription update",
    metadata: { ...subscription.metadata },
    applicationFeeAmount: percent !== null && (destination || store.account) ? Math.round((invoice.amount_due * percent) / 100) : undefined,
    transferDestination: destination,
  });
  const payment = createInvoicePayment(store, invoice, paymentIntent.id);
  store.setInternal(invoice.id, { paymentIntent: paymentIntent.id, invoicePayment: payment.id } satisfies InvoiceInternal);
  return paymentIntent;
}

export interface CollectionResult {
  invoice: Invoice;
  paid: boolean;
  charge?: StripeObject;
}

/**
 * One attempt to collect an open invoice. Success: a succeeded payment intent and charge (carrying the
 * subscription's application fee, destination and metadata), the invoice paid, and a past_due
 * subscription active again. Failure: a declined charge, `attempt_count` up, the next retry scheduled,
 * `invoice.payment_failed`, and the subscription past_due. `decline: null` forces success (a card just
 * entered on the hosted Checkout page).
 */
export function collectInvoice(store: ObjectStore, invoice: Invoice, options: { decline?: Decline | null } = {}): CollectionResult {
  const subscription = store.get<Subscription>("subscription", invoice.parent.subscription_details.subscription);
  const now = store.now();
  if (invoice.amount_due === 0) {
    const paid: Invoice = {
      ...invoice,
      status: "paid",
      attempted: true,
      status_transitions: { ...invoice.status_transitions, paid_at: now },
    };
    store.update(paid);
    emitEvent(store, "invoice.paid", paid);
    emitEvent(store, "invoice.payment_succeeded", paid);
    return { invoice: paid, paid: true };
  }
  const decline = options.decline === null ? undefined : (options.decline ?? declineFor(store, invoice, subscription));
  const { charge } = attemptPayment(store, paymentIntentFor(store, invoice, subscription), decline);
  const attemptCount = invoice.attempt_count + 1;
  if (!decline) {
    const internal = store.internal<InvoiceInternal>(invoice.id)!;
    const payment = paymentsOfInvoice(store, invoice.id).find((p) => p.id === internal.invoicePayment);
    if (payment) markInvoicePaymentPaid(store, payment);
    const paid: Invoice = {
      ...invoice,
      amount_paid: invoice.amount_due,
      amount_remaining: 0,
      attempt_count: attemptCount,
      attempted: true,
      next_payment_attempt: null,
      status: "paid",
      status_transitions: { ...invoice.status_transitions, paid_at: now },
    };
    store.update(paid);
    emitEvent(store, "invoice.paid", paid);
    emitEvent(store, "invoice.payment_succeeded", paid);
    if (subscription.status === "past_due" && subscription.latest_invoice === invoice.id) setStatus(store, subscription, "active");
    return { invoice: paid, paid: true, charge };
  }
  const delay = RETRY_DELAYS_DAYS[attemptCount - 1];
  const failed: Invoice = {
    ...invoice,
    attempt_count: attemptCount,
    attempted: true,
    next_payment_attempt: delay === undefined ? null : now + delay * 86_400,
  };
  store.update(failed);
  emitEvent(store, "invoice.payment_failed", failed);
  if (subscription.status === "active" && subscription.latest_invoice === invoice.id) setStatus(store, subscription, "past_due");
  return { invoice: failed, paid: false, charge };
}

function setStatus(store: ObjectStore, subscription: Subscription, status: Subscription["status"]) {
  const next: Subscription = { ...subscription, status };
  store.update(next);
  emitEvent(store, "customer.subscription.updated", next, { previousAttributes: changedFields(subscription, next) });
}
