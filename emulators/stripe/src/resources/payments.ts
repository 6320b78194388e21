import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { emitEvent } from "../events";
import { newId, nowSeconds } from "../ids";
import { parseParams } from "../params";
import type { ObjectStore, StripeObject } from "../store";
import { listSchema, respond, respondList } from "./common";

export type Charge = StripeObject & {
  amount: number;
  amount_refunded: number;
  currency: string;
  refunded: boolean;
  payment_intent: string;
};
export type PaymentIntent = StripeObject & { amount: number; currency: string; latest_charge: string | null };

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

/**
 * A successful card payment as the hosted page makes it: a payment intent that succeeded at once and
 * its one charge, with `charge.succeeded` and `payment_intent.succeeded` events in Stripe's order.
 */
export function recordSucceededPayment(store: ObjectStore, terms: PaymentTerms) {
  const created = nowSeconds();
  const paymentIntentId = newId("payment_intent");
  const transferData = terms.transferDestination ? { destination: terms.transferDestination } : null;
  const charge: Charge = {
    id: newId("charge"),
    object: "charge",
    amount: terms.amount,
    amount_captured: terms.amount,
    amount_refunded: 0,
    application_fee_amount: terms.applicationFeeAmount ?? null,
    balance_transaction: null,
    captured: true,
    created,
    currency: terms.currency,
    customer: terms.customer,
    description: terms.description ?? null,
    destination: terms.transferDestination ?? null,
    livemode: false,
    metadata: terms.metadata ?? {},
    paid: true,
    payment_intent: paymentIntentId,
    payment_method_details: { type: "card", card: { brand: "visa", last4: "4242", exp_month: 12, exp_year: 2034 } },
    receipt_email: terms.receiptEmail,
    refunded: false,
    status: "succeeded",
    transfer_data: transferData,
  };
  const paymentIntent: PaymentIntent = {
    id: paymentIntentId,
    object: "payment_intent",
    amount: terms.amount,
    amount_capturable: 0,
    amount_received: terms.amount,
    application_fee_amount: terms.applicationFeeAmount ?? null,
    capture_method: "automatic",
    client_secret: `${paymentIntentId}_secret_emulator`,
    confirmation_method: "automatic",
    created,
    currency: terms.currency,
    customer: terms.customer,
    description: terms.description ?? null,
    latest_charge: charge.id,
    livemode: false,
    metadata: terms.metadata ?? {},
    on_behalf_of: null,
    payment_method_types: ["card"],
    receipt_email: terms.receiptEmail,
    status: "succeeded",
    transfer_data: transferData,
  };
  store.insert("payment_intent", paymentIntent);
  store.insert("charge", charge);
  emitEvent(store, "charge.succeeded", charge);
  emitEvent(store, "payment_intent.succeeded", paymentIntent);
  return { paymentIntent, charge };
}

const paymentIntentList = listSchema({ customer: z.string().optional() });
const chargeList = listSchema({ customer: z.string().optional(), payment_intent: z.string().optional() });

export const paymentIntents = new Hono<AppEnv>()
  .get("/", (c) => {
    const params = parseParams(paymentIntentList, c.var.params);
    const all = c.env.store.all("payment_intent");
    return respondList(c, all.filter((pi) => !params.customer || pi.customer === params.customer), params);
  })
  .get("/:id", (c) => respond(c, c.env.store.get("payment_intent", c.req.param("id"))));

export const charges = new Hono<AppEnv>()
  .get("/", (c) => {
    const params = parseParams(chargeList, c.var.params);
    const matches = c.env.store
      .all("charge")
      .filter(
        (ch) =>
          (!params.customer || ch.customer === params.customer) &&
          (!params.payment_intent || ch.payment_intent === params.payment_intent),
      );
    return respondList(c, matches, params);
  })
  .get("/:id", (c) => respond(c, c.env.store.get("charge", c.req.param("id"))));
