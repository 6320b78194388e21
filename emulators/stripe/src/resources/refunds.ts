import { Hono } from "hono";
import { z } from "zod";
import { newRefundStatus } from "../admin-refunds";
import type { AppEnv } from "../context";
import { invalidRequest } from "../errors";
import { emitEvent } from "../events";
import { newId } from "../ids";
import { boolString, intString, metadata, parseParams } from "../params";
import type { ObjectStore, StripeObject } from "../store";
import { listSchema, paramsSchema, respond, respondList } from "./common";
import type { Charge, PaymentIntent } from "./payments";

const createParams = paramsSchema({
  charge: z.string().optional(),
  payment_intent: z.string().optional(),
  amount: intString.optional(),
  reason: z.enum(["duplicate", "fraudulent", "requested_by_customer"]).optional(),
  reverse_transfer: boolString.optional(),
  refund_application_fee: boolString.optional(),
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
    const store = c.var.store;
    const charge = chargeToRefund(store, params);
    if (charge.status !== "succeeded") throw invalidRequest(`Charge ${charge.id} failed, so there is nothing to refund.`, "charge");
    // Stripe's refusal: a charged-back payment is settled by its dispute, never refunded as well.
    if ((charge as Charge & { disputed?: boolean }).disputed === true) {
      throw invalidRequest(`Charge ${charge.id} has been charged back; cannot issue a refund.`, undefined, "charge_disputed");
    }
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
    // A destination charge's refund can pull the money back from the connected account and give back
    // the platform's fee, each in proportion to the amount refunded.
    const reverseTransfer = params.reverse_transfer === true && charge.transfer_data !== null;
    const fee = charge.application_fee_amount ?? 0;
    const refundFee = params.refund_application_fee === true && fee > 0;
    const refund: StripeObject = {
      id: newId("refund"),
      object: "refund",
      amount,
      balance_transaction: null,
      charge: charge.id,
      created: store.now(),
      currency: charge.currency,
      customer: charge.customer ?? null,
      destination_details: {
        type: "card",
        card: { reference_status: "available", reference_type: "acquirer_reference_number", type: "refund" },
      },
      metadata: params.metadata ?? {},
      payment_intent: charge.payment_intent,
      payment_method: null,
      reason: params.reason ?? null,
      receipt_number: null,
      source_transfer_reversal: null,
      status: newRefundStatus(store, charge.payment_intent),
      transfer_reversal: reverseTransfer ? newId("transfer_reversal") : null,
      // Not Stripe fields: what was asked, so tests can check the app asked for it.
      reverse_transfer: params.reverse_transfer ?? false,
      refund_application_fee: params.refund_application_fee ?? false,
    };
    store.insert("refund", refund, {
      transferReversalAmount: reverseTransfer ? amount : 0,
      applicationFeeRefunded: refundFee ? Math.round((fee * amount) / charge.amount) : 0,
    });
    const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
    const refundedCharge: Charge = {
      ...charge,
      amount_refunded: charge.amount_refunded + amount,
      refunded: charge.amount_refunded + amount === charge.amount,
    };
    store.update(refundedCharge);
    emitEvent(store, "refund.created", refund);
    emitEvent(store, "charge.refunded", refundedCharge, { previousAttributes: previous });
    return respond(c, refund);
  })
  .get("/", (c) => {
    const params = parseParams(listParams, c.var.params);
    const matches = c.var.store
      .all("refund")
      .filter(
        (re) => (!params.charge || re.charge === params.charge) && (!params.payment_intent || re.payment_intent === params.payment_intent),
      );
    return respondList(c, matches, params);
  })
  .get("/:id", (c) => respond(c, c.var.store.get("refund", c.req.param("id"))));
