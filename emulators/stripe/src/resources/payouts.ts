import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { newId, randomToken } from "../ids";
import { parseParams } from "../params";
import type { ObjectStore, StripeObject } from "../store";
import { listSchema, paramsSchema, respond, respondList } from "./common";

const PAYOUT_STATUSES = ["paid", "pending", "in_transit", "canceled", "failed"] as const;
const listParams = listSchema({ status: z.enum(PAYOUT_STATUSES).optional() });

export type Payout = StripeObject & {
  amount: number;
  currency: string;
  created: number;
  status: (typeof PAYOUT_STATUSES)[number];
  failure_code: string | null;
  failure_message: string | null;
};

/** Stripe's messages for the failure codes tests use (https://docs.stripe.com/api/payouts/failures). */
export const PAYOUT_FAILURE_MESSAGES: Record<string, string> = {
  account_closed: "The bank account has been closed.",
  account_frozen: "The bank account has been frozen.",
  bank_account_restricted: "The bank account has restrictions on either the type, or the number, of payouts allowed.",
  could_not_process: "The bank could not process this payout.",
  insufficient_funds: "Your Stripe account has insufficient funds to cover the payout.",
  invalid_account_number: "The routing number seems correct, but the account number is invalid.",
  no_account: "The bank account details on file are probably incorrect. No bank account could be located with those details.",
};
export const PAYOUT_FAILURE_CODES = Object.keys(PAYOUT_FAILURE_MESSAGES) as [string, ...string[]];

/**
 * A payout from a connected account's balance to its bank account, as Stripe's automatic daily
 * payouts make it, already settled: `paid`, or `failed` with Stripe's failure code and message.
 * (The emulator keeps no balances: a payout is made by the admin route, not by `POST /v1/payouts`.)
 */
export function createPayout(
  store: ObjectStore,
  params: { amount: number; currency: string; outcome: "paid" | "failed"; failureCode?: string },
): Payout {
  const now = store.now();
  const failureCode = params.outcome === "failed" ? (params.failureCode ?? "account_closed") : null;
  const payout: Payout = {
    id: newId("payout"),
    object: "payout",
    amount: params.amount,
    application_fee: null,
    application_fee_amount: null,
    arrival_date: now,
    automatic: true,
    balance_transaction: `txn_${randomToken()}`,
    created: now,
    currency: params.currency,
    description: "STRIPE PAYOUT",
    destination: `ba_${randomToken()}`,
    failure_balance_transaction: failureCode ? `txn_${randomToken()}` : null,
    failure_code: failureCode,
    failure_message: failureCode ? (PAYOUT_FAILURE_MESSAGES[failureCode] ?? null) : null,
    livemode: false,
    metadata: {},
    method: "standard",
    original_payout: null,
    reconciliation_status: "completed",
    reversed_by: null,
    source_type: "card",
    statement_descriptor: null,
    status: params.outcome,
    trace_id: null,
    type: "bank_account",
  };
  return store.insert("payout", payout);
}

/** `GET /v1/payouts[/:id]`, acting as a connected account (`Stripe-Account`): that account's payouts. */
export const payouts = new Hono<AppEnv>()
  .get("/", (c) => {
    const params = parseParams(listParams, c.var.params);
    const all = c.var.store.all<Payout>("payout");
    return respondList(c, params.status ? all.filter((p) => p.status === params.status) : all, params);
  })
  .get("/:id", (c) => {
    parseParams(paramsSchema({}), c.var.params);
    return respond(c, c.var.store.get("payout", c.req.param("id")));
  });
