import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { invalidRequest } from "../errors";
import { emitEvent } from "../events";
import { newId, nowSeconds } from "../ids";
import { intString, metadata, parseParams } from "../params";
import type { ObjectStore, StripeObject } from "../store";
import { listSchema, paramsSchema, respond, respondList } from "./common";
import type { Charge, PaymentIntent } from "./payments";

const createParams = paramsSchema({
  charge: z.string().optional(),
  payment_intent: z.string().optional(),
  amount: intString.optional(),
  reason: z.enum(["duplicate", "fraudulent", "requested_by_customer"]).optional(),
  metadata,
});
const listParams = listSchema({ charge: z.string().optional(), payment_intent: z.string().optional() });

/** The charge a refund is for: named directly, or the payment intent's latest charge. */
function chargeToRefund(store: ObjectStore, params: { charge?: string; payment_intent?: string }): Charge {
  if (params.charge && params.payment_intent) {
    throw invalidRequest("You may only specify one of these parameters: charge, payment_intent.", "charge");
  }
  if (params.charge) return store.get<Charge>("charge", params.charge, "charge");
  if (!params.payment_intent) {
    throw invalidRequest("One of the following params should be provided for this request: payment_intent or charge.");
  }
  const paymentIntent = store.get<PaymentIntent>("payment_intent", params.payment_intent, "payment_intent");
  if (!paymentIntent.latest_charge) {
    throw invalidRequest(`This PaymentIntent (${paymentIntent.id}) does not have a successful charge to refund.`, "payment_intent");
  }
  return store.get<Charge>("charge", paymentIntent.latest_charge, "payment_intent");
}

export const refunds = new Hono<AppEnv>()
  .post("/", (c) => {
    const params = parseParams(createParams, c.var.params);
    const store = c.env.store;
    const charge = chargeToRefund(store, params);
    const remaining = charge.amount - charge.amount_refunded;
    if (remaining <= 0) {
      throw invalidRequest(`Charge ${charge.id} has already been refunded.`, undefined, "charge_already_refunded");
    }
    const amount = params.amount ?? remaining;
    if (amount <= 0) throw invalidRequest("Invalid positive integer", "amount");
    if (amount > remaining) {
      throw invalidRequest(
        `Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`,
        "amount",
        "amount_too_large",
      );
    }
    const refund: StripeObject = {
      id: newId("refund"),
      object: "refund",
      amount,
      balance_transaction: null,
      charge: charge.id,
      created: nowSeconds(),
      currency: charge.currency,
      metadata: params.metadata ?? {},
      payment_intent: charge.payment_intent,
      reason: params.reason ?? null,
      status: "succeeded",
    };
    store.insert("refund", refund);
    const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
    const refundedCharge: Charge = {
      ...charge,
      amount_refunded: charge.amount_refunded + amount,
      refunded: charge.amount_refunded + amount === charge.amount,
    };
    store.update(refundedCharge);
    emitEvent(store, "refund.created", refund);
    emitEvent(store, "charge.refunded", refundedCharge, previous);
    return respond(c, refund);
  })
  .get("/", (c) => {
    const params = parseParams(listParams, c.var.params);
    const matches = c.env.store
      .all("refund")
      .filter(
        (re) =>
          (!params.charge || re.charge === params.charge) &&
          (!params.payment_intent || re.payment_intent === params.payment_intent),
      );
    return respondList(c, matches, params);
  })
  .get("/:id", (c) => respond(c, c.env.store.get("refund", c.req.param("id"))));
