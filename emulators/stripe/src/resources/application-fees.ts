import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { invalidRequest } from "../errors";
import { emitEvent } from "../events";
import { newId } from "../ids";
import { intString, metadata, parseParams } from "../params";
import type { ObjectStore, StripeObject } from "../store";
import { listSchema, paramsSchema, respond, respondList } from "./common";

type FeeRefund = StripeObject & { amount: number; fee: string };

export type ApplicationFee = StripeObject & {
  account: string;
  amount: number;
  amount_refunded: number;
  charge: string;
  currency: string;
  refunded: boolean;
  refunds: { object: "list"; data: FeeRefund[]; has_more: boolean; url: string };
};

const refundParams = paramsSchema({ amount: intString.optional(), metadata });
const listParams = listSchema({ charge: z.string().optional() });

/**
 * The platform's fee on a destination charge, as Stripe records it when the charge succeeds (the
 * charge names it in `application_fee`). Made for every charge carrying `application_fee_amount`.
 */
export function createApplicationFee(
  store: ObjectStore,
  charge: { id: string; currency: string; fee: number; destination: string | null },
): ApplicationFee {
  const id = newId("application_fee");
  const fee: ApplicationFee = {
    id,
    object: "application_fee",
    account: charge.destination ?? store.account ?? "",
    amount: charge.fee,
    amount_refunded: 0,
    application: null,
    balance_transaction: null,
    charge: charge.id,
    created: store.now(),
    currency: charge.currency,
    fee_source: { charge: charge.id, type: "charge" },
    livemode: false,
    originating_transaction: null,
    refunded: false,
    refunds: { object: "list", data: [], has_more: false, url: `/v1/application_fees/${id}/refunds` },
  };
  // No `application_fee.created` event: nothing listens for it, and every paid charge would send one.
  return store.insert("application_fee", fee);
}

/** `POST /v1/application_fees/{id}/refunds`: gives back part or all of what is left of the fee to the connected account. */
function refundApplicationFee(store: ObjectStore, fee: ApplicationFee, params: z.output<typeof refundParams>): FeeRefund {
  const remaining = fee.amount - fee.amount_refunded;
  const amount = params.amount ?? remaining;
  if (amount <= 0) throw invalidRequest("Invalid positive integer", "amount");
  if (amount > remaining) {
    throw invalidRequest(`Refund amount (${amount}) is greater than unrefunded amount on fee (${remaining})`, "amount", "amount_too_large");
  }
  const refund: FeeRefund = {
    id: newId("fee_refund"),
    object: "fee_refund",
    amount,
    balance_transaction: null,
    created: store.now(),
    currency: fee.currency,
    fee: fee.id,
    metadata: params.metadata ?? {},
  };
  const refunded: ApplicationFee = {
    ...fee,
    amount_refunded: fee.amount_refunded + amount,
    refunded: fee.amount_refunded + amount === fee.amount,
    refunds: { ...fee.refunds, data: [refund, ...fee.refunds.data] },
  };
  store.update(refunded);
  emitEvent(store, "application_fee.refunded", refunded, {
    previousAttributes: { amount_refunded: fee.amount_refunded, refunded: fee.refunded },
  });
  return refund;
}

export const applicationFees = new Hono<AppEnv>()
  .get("/", (c) => {
    const params = parseParams(listParams, c.var.params);
    const matches = c.var.store.all<ApplicationFee>("application_fee").filter((fee) => !params.charge || fee.charge === params.charge);
    return respondList(c, matches, params);
  })
  .get("/:id", (c) => respond(c, c.var.store.get("application_fee", c.req.param("id"))))
  .post("/:id/refunds", (c) => {
    const params = parseParams(refundParams, c.var.params);
    const fee = c.var.store.get<ApplicationFee>("application_fee", c.req.param("id"));
    return respond(c, refundApplicationFee(c.var.store, fee, params));
  })
  .get("/:id/refunds", (c) => {
    const params = parseParams(listSchema({}), c.var.params);
    return respondList(c, c.var.store.get<ApplicationFee>("application_fee", c.req.param("id")).refunds.data, params);
  });
