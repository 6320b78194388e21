import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { emitEvent } from "../events";
import { newId } from "../ids";
import { parseParams } from "../params";
import type { ObjectStore, StripeObject } from "../store";
import { createApplicationFee } from "./application-fees";
import { listSchema, respond, respondList } from "./common";

export type Charge = StripeObject & {
  amount: number;
  amount_refunded: number;
  currency: string;
  refunded: boolean;
  payment_intent: string;
  status: "succeeded" | "failed";
  application_fee_amount: number | null;
  transfer_data: { destination: string; amount: null } | null;
};
export type PaymentIntent = StripeObject & {
  amount: number;
  currency: string;
  /** `processing`: an asynchronous payment method's debit awaits the bank (admin-checkout.ts). */
  status: "requires_payment_method" | "processing" | "succeeded";
  latest_charge: string | null;
  metadata: Record<string, string>;
};

export interface PaymentTerms {
  amount: number;
  currency: string;
  customer: string | null;
  receiptEmail: string | null;
  description?: string;
  metadata?: Record<string, string>;
  applicationFeeAmount?: number;
  transferDestination?: string;
}

/** Why a charge attempt was declined; absent for one that goes through. */
export interface Decline {
  code: string;
  message: string;
}

const transferData = (terms: PaymentTerms) => (terms.transferDestination ? { destination: terms.transferDestination, amount: null } : null);

/** A payment intent waiting for its first attempt (what an invoice or the hosted page creates). */
export function createPaymentIntent(store: ObjectStore, terms: PaymentTerms): PaymentIntent {
  const id = newId("payment_intent");
  const paymentIntent: PaymentIntent = {
    id,
    object: "payment_intent",
    amount: terms.amount,
    amount_capturable: 0,
    amount_received: 0,
    application_fee_amount: terms.applicationFeeAmount ?? null,
    capture_method: "automatic",
    client_secret: `${id}_secret_emulator`,
    confirmation_method: "automatic",
    created: store.now(),
    currency: terms.currency,
    customer: terms.customer,
    description: terms.description ?? null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    metadata: terms.metadata ?? {},
    on_behalf_of: null,
    payment_method: null,
    payment_method_types: ["card"],
    receipt_email: terms.receiptEmail,
    status: "requires_payment_method",
    transfer_data: transferData(terms),
  };
  store.insert("payment_intent", paymentIntent, terms);
  emitEvent(store, "payment_intent.created", paymentIntent);
  return paymentIntent;
}

/**
 * One card attempt on a payment intent: a charge that succeeded or was declined, the intent moved to
 * `succeeded` or back to `requires_payment_method`, and Stripe's events in Stripe's order.
 */
export function attemptPayment(store: ObjectStore, intent: PaymentIntent, decline?: Decline) {
  const terms = store.internal<PaymentTerms>(intent.id)!;
  const ok = !decline;
  const charge: Charge = {
    id: newId("charge"),
    object: "charge",
    amount: intent.amount,
    amount_captured: ok ? intent.amount : 0,
    amount_refunded: 0,
    application_fee_amount: ok ? (terms.applicationFeeAmount ?? null) : null,
    balance_transaction: null,
    captured: ok,
    created: store.now(),
    currency: intent.currency,
    customer: terms.customer,
    description: terms.description ?? null,
    destination: terms.transferDestination ?? null,
    failure_code: decline?.code ?? null,
    failure_message: decline?.message ?? null,
    livemode: false,
    metadata: terms.metadata ?? {},
    outcome: ok
      ? {
          network_status: "approved_by_network",
          reason: null,
          risk_level: "normal",
          seller_message: "Payment complete.",
          type: "authorized",
        }
      : {
          network_status: "declined_by_network",
          reason: "generic_decline",
          risk_level: "normal",
          seller_message: "The bank did not return any further details with this decline.",
          type: "issuer_declined",
        },
    paid: ok,
    payment_intent: intent.id,
    payment_method_details: { type: "card", card: { brand: "visa", last4: ok ? "4242" : "0002", exp_month: 12, exp_year: 2034 } },
    receipt_email: terms.receiptEmail,
    refunded: false,
    status: ok ? "succeeded" : "failed",
    transfer_data: transferData(terms),
  };
  const paymentIntent: PaymentIntent = {
    ...intent,
    amount_received: ok ? intent.amount : 0,
    last_payment_error: decline
      ? {
          type: "card_error",
          code: decline.code,
          decline_code: decline.code === "card_declined" ? "generic_decline" : undefined,
          message: decline.message,
          charge: charge.id,
        }
      : null,
    latest_charge: charge.id,
    status: ok ? "succeeded" : "requires_payment_method",
  };
  const fee = charge.application_fee_amount;
  // The platform's fee becomes an application fee object the platform can refund (application-fees.ts).
  charge.application_fee =
    ok && fee
      ? createApplicationFee(store, { id: charge.id, currency: charge.currency, fee, destination: terms.transferDestination ?? null }).id
      : null;
  store.insert("charge", charge);
  store.update(paymentIntent);
  emitEvent(store, ok ? "charge.succeeded" : "charge.failed", charge);
  emitEvent(store, ok ? "payment_intent.succeeded" : "payment_intent.payment_failed", paymentIntent);
  return { paymentIntent, charge };
}

/** A card payment that goes through at once, as the hosted Checkout page makes it. */
export function recordSucceededPayment(store: ObjectStore, terms: PaymentTerms) {
  return attemptPayment(store, createPaymentIntent(store, terms));
}

const paymentIntentList = listSchema({ customer: z.string().optional() });
const chargeList = listSchema({ customer: z.string().optional(), payment_intent: z.string().optional() });

export const paymentIntents = new Hono<AppEnv>()
  .get("/", (c) => {
    const params = parseParams(paymentIntentList, c.var.params);
    const all = c.var.store.all("payment_intent");
    return respondList(
      c,
      all.filter((pi) => !params.customer || pi.customer === params.customer),
      params,
    );
  })
  .get("/:id", (c) => respond(c, c.var.store.get("payment_intent", c.req.param("id"))));

export const charges = new Hono<AppEnv>()
  .get("/", (c) => {
    const params = parseParams(chargeList, c.var.params);
    const matches = c.var.store
      .all("charge")
      .filter(
        (ch) =>
          (!params.customer || ch.customer === params.customer) && (!params.payment_intent || ch.payment_intent === params.payment_intent),
      );
    return respondList(c, matches, params);
  })
  .get("/:id", (c) => respond(c, c.var.store.get("charge", c.req.param("id"))));
