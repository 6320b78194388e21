import { StripeApiError } from "../errors";
import { emitEvent } from "../events";
import { newId } from "../ids";
import type { ObjectStore, StripeObject } from "../store";
import type { Customer, CustomerInternal } from "./customers";

export type PaymentMethod = StripeObject & {
  type: "card";
  customer: string | null;
  card: { brand: string; last4: string; exp_month: number; exp_year: number; funding: string; country: string };
};

/**
 * Stripe's test card numbers the emulator knows: one that works, one the bank declines when it is
 * entered (nothing is saved), and one that is saved but whose charges are later declined.
 */
const TEST_CARDS: Record<string, { last4: string; chargesFail: boolean } | "declined"> = {
  "4242424242424242": { last4: "4242", chargesFail: false },
  "4000000000000341": { last4: "0341", chargesFail: true },
  "4000000000000002": "declined",
};

/** What the portal's card form sends: digits, maybe grouped with spaces. */
const normalize = (number: string) => number.replace(/[\s-]/g, "");

/**
 * Saves a test card as the customer's default payment method for invoices (`payment_method.attached`,
 * `customer.updated`); later invoice payments succeed or are declined as that card would be.
 */
export function attachTestCard(store: ObjectStore, customer: Customer, number: string): PaymentMethod {
  const card = TEST_CARDS[normalize(number)];
  if (card === undefined) {
    throw new StripeApiError(400, {
      type: "invalid_request_error",
      code: "incorrect_number",
      param: "card[number]",
      message: "Use a Stripe test card: 4242 4242 4242 4242, 4000 0000 0000 0341 or 4000 0000 0000 0002.",
    });
  }
  if (card === "declined") {
    throw new StripeApiError(402, {
      type: "card_error",
      code: "card_declined",
      decline_code: "generic_decline",
      message: "Your card was declined.",
    });
  }
  const year = new Date(store.now() * 1000).getUTCFullYear();
  const method: PaymentMethod = {
    id: newId("payment_method"),
    object: "payment_method",
    allow_redisplay: "always",
    billing_details: { address: null, email: customer.email, name: null, phone: null },
    card: { brand: "visa", last4: card.last4, exp_month: 12, exp_year: year + 3, funding: "credit", country: "US" },
    created: store.now(),
    customer: customer.id,
    livemode: false,
    metadata: {},
    type: "card",
  };
  store.insert("payment_method", method);
  emitEvent(store, "payment_method.attached", method);
  const settings = customer.invoice_settings as Record<string, unknown>;
  const next: Customer = { ...customer, invoice_settings: { ...settings, default_payment_method: method.id } };
  store.update(next);
  store.setInternal(customer.id, {
    ...store.internal<CustomerInternal>(customer.id),
    failPayments: card.chargesFail,
  } satisfies CustomerInternal);
  emitEvent(store, "customer.updated", next, { previousAttributes: { invoice_settings: settings } });
  return method;
}
