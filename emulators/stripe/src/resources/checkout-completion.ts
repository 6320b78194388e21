import { emitEvent } from "../events";
import type { ObjectStore } from "../store";
import type { CheckoutInternal, CheckoutSession } from "./checkout-sessions";
import { createCustomer } from "./customers";
import { recordSucceededPayment } from "./payments";
import type { Price } from "./prices";
import { startSubscription } from "./subscriptions";

/**
 * What a successful payment on the hosted page does: in payment mode a payment intent and charge
 * (carrying the application fee and destination), in subscription mode a customer if there was none
 * and an active subscription; then the session is complete and `checkout.session.completed` is sent.
 */
export function completeCheckoutSession(store: ObjectStore, session: CheckoutSession): CheckoutSession {
  const internal = store.internal<CheckoutInternal>(session.id) ?? { lineItems: [] };
  const email = session.customer_email ?? (session.customer ? (store.find("customer", session.customer)?.email as string | null) : null);
  const completed: CheckoutSession = {
    ...session,
    status: "complete",
    payment_status: "paid",
    customer_details: { email: email ?? null, name: null, phone: null, address: null, tax_exempt: "none", tax_ids: [] },
  };
  if (session.mode === "payment") {
    const terms = internal.paymentIntentData;
    const { paymentIntent } = recordSucceededPayment(store, {
      amount: session.amount_total,
      currency: session.currency,
      customer: session.customer,
      receiptEmail: email ?? null,
      description: terms?.description,
      metadata: terms?.metadata,
      applicationFeeAmount: terms?.application_fee_amount,
      transferDestination: terms?.transfer_data?.destination,
    });
    completed.payment_intent = paymentIntent.id;
  } else {
    const customer = session.customer ?? createCustomer(store, { email: session.customer_email ?? undefined }).id;
    const items = internal.lineItems.map((item) => ({ price: store.get<Price>("price", item.price), quantity: item.quantity }));
    completed.customer = customer;
    completed.subscription = startSubscription(store, customer, items, internal.subscriptionMetadata ?? {}).id;
  }
  store.update(completed);
  emitEvent(store, "checkout.session.completed", completed);
  return completed;
}
