import { requireChargeableDestination } from "../connect";
import { emitEvent } from "../events";
import type { ObjectStore } from "../store";
import { redeemCheckoutDiscount } from "./checkout-discounts";
import type { CheckoutInternal, CheckoutSession } from "./checkout-sessions";
import { atCustomerTime, createCustomer } from "./customers";
import { createPaymentIntent, recordSucceededPayment } from "./payments";
import type { Price } from "./prices";
import { startSubscription } from "./subscriptions";
import { billingDetailsOf } from "./tax";

/**
 * Checks again, at payment time, that the destination can still take charges: an account disabled
 * since the session was created makes Stripe refuse the payment. Throws the API error.
 */
export function checkDestinationStillChargeable(store: ObjectStore, session: CheckoutSession) {
  const internal = store.internal<CheckoutInternal>(session.id);
  const payment = internal?.paymentIntentData?.transfer_data?.destination;
  const subscription = internal?.subscriptionData?.transfer_data?.destination;
  if (payment) requireChargeableDestination(store, payment, "payment_intent_data[transfer_data][destination]");
  if (subscription) requireChargeableDestination(store, subscription, "subscription_data[transfer_data][destination]");
}

/**
 * What a successful payment on the hosted page does: in payment mode a payment intent and charge
 * (carrying the application fee and destination); in subscription mode a customer if there was none,
 * an active subscription and its paid first invoice. Then the session is complete and
 * `checkout.session.completed` is sent. An asynchronous payment method (`asynchronous`, payment
 * mode only) completes the session unpaid with its payment intent `processing`: the outcome comes
 * later as `checkout.session.async_payment_succeeded` or `…_failed` (admin-checkout.ts).
 */
export function completeCheckoutSession(
  store: ObjectStore,
  session: CheckoutSession,
  options: { asynchronous?: boolean } = {},
): CheckoutSession {
  return atCustomerTime(store, session.customer, () => complete(store, session, options.asynchronous ?? false));
}

function complete(store: ObjectStore, session: CheckoutSession, asynchronous: boolean): CheckoutSession {
  const internal = store.internal<CheckoutInternal>(session.id) ?? { lineItems: [] };
  const email = session.customer_email ?? (session.customer ? (store.find("customer", session.customer)?.email as string | null) : null);
  const completed: CheckoutSession = {
    ...session,
    status: "complete",
    payment_status: asynchronous ? "unpaid" : session.amount_total > 0 ? "paid" : "no_payment_required",
    // Keeps the billing address and tax ids the hosted page collected (resources/tax.ts).
    customer_details: {
      email: email ?? null,
      name: null,
      phone: null,
      address: null,
      tax_exempt: "none",
      tax_ids: [],
      ...billingDetailsOf(session),
    },
  };
  if (session.mode === "payment") {
    const terms = internal.paymentIntentData;
    const paymentTerms = {
      amount: session.amount_total,
      currency: session.currency,
      customer: session.customer,
      receiptEmail: email ?? null,
      description: terms?.description,
      metadata: terms?.metadata,
      applicationFeeAmount: terms?.application_fee_amount,
      transferDestination: terms?.transfer_data?.destination,
    };
    completed.payment_intent = asynchronous
      ? store.update({ ...createPaymentIntent(store, paymentTerms), status: "processing" }).id
      : recordSucceededPayment(store, paymentTerms).paymentIntent.id;
  } else {
    const terms = internal.subscriptionData;
    const customer = session.customer ?? createCustomer(store, { email: session.customer_email ?? undefined }).id;
    const automaticTax = session.automatic_tax as { enabled?: boolean; liability?: unknown } | null | undefined;
    const items = internal.lineItems.map((item) => ({ price: store.get<Price>("price", item.price), quantity: item.quantity }));
    const { subscription, invoice } = startSubscription(store, {
      customer,
      items,
      metadata: terms?.metadata ?? {},
      applicationFeePercent: terms?.application_fee_percent,
      transferData: terms?.transfer_data,
      discount: internal.discount,
      // Its invoices are taxed as the session was (resources/tax.ts), issued by the account named.
      ...(automaticTax?.enabled ? { automaticTax: { liability: automaticTax.liability } } : {}),
      ...(terms?.invoice_settings?.issuer ? { invoiceIssuer: terms.invoice_settings.issuer } : {}),
    });
    completed.customer = customer;
    completed.subscription = subscription.id;
    completed.invoice = invoice.id;
  }
  store.update(completed);
  redeemCheckoutDiscount(store, internal.discount);
  emitEvent(store, "checkout.session.completed", completed);
  return completed;
}
