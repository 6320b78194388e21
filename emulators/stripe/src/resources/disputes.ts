import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { invalidRequest } from "../errors";
import { changedFields, emitEvent } from "../events";
import { newId } from "../ids";
import { mergeMetadata, metadata, parseParams } from "../params";
import type { ObjectStore, StripeObject } from "../store";
import { listSchema, paramsSchema, respond, respondList } from "./common";
import type { Charge } from "./payments";

/** Stripe's `dispute.reason` values. */
export const DISPUTE_REASONS = [
  "bank_cannot_process",
  "check_returned",
  "credit_not_processed",
  "customer_initiated",
  "debit_not_authorized",
  "duplicate",
  "fraudulent",
  "general",
  "incorrect_account_details",
  "insufficient_funds",
  "noncompliant",
  "product_not_received",
  "product_unacceptable",
  "subscription_canceled",
  "unrecognized",
] as const;

/** What Stripe takes from the balance for each dispute in USD (returned with the amount if it is won). */
export const DISPUTE_FEE = 1500;
const OPEN_STATUSES = ["needs_response", "under_review", "warning_needs_response", "warning_under_review"];

interface BalanceTransaction {
  id: string;
  object: "balance_transaction";
  amount: number;
  currency: string;
  fee: number;
  net: number;
  reporting_category: "dispute" | "dispute_reversal";
  created: number;
  type: "adjustment";
}

export type Dispute = StripeObject & {
  amount: number;
  currency: string;
  charge: string;
  payment_intent: string | null;
  status: string;
  reason: string;
  balance_transactions: BalanceTransaction[];
  evidence: Record<string, string | null>;
  evidence_details: { due_by: number | null; has_evidence: boolean; past_due: boolean; submission_count: number };
  is_charge_refundable: boolean;
  metadata: Record<string, string>;
};

const balanceTransaction = (store: ObjectStore, dispute: Dispute, sign: -1 | 1): BalanceTransaction => {
  const fee = sign * -DISPUTE_FEE;
  return {
    id: newId("balance_transaction"),
    object: "balance_transaction",
    amount: sign * dispute.amount,
    currency: dispute.currency,
    fee,
    net: sign * dispute.amount - fee,
    reporting_category: sign < 0 ? "dispute" : "dispute_reversal",
    created: store.now(),
    type: "adjustment",
  };
};

/**
 * A cardholder disputes a charge: the dispute `needs_response` until `due_by`, and the disputed amount
 * and the fee leave the platform's balance at once (a destination charge's dispute is the platform's):
 * `charge.dispute.created`, then `charge.dispute.funds_withdrawn`.
 */
export function openDispute(store: ObjectStore, charge: Charge, params: { reason: string; amount?: number; dueInDays: number }): Dispute {
  if (charge.status !== "succeeded") throw invalidRequest(`Charge ${charge.id} failed, so it cannot be disputed.`, "charge");
  if ((charge as Charge & { disputed?: boolean }).disputed === true)
    throw invalidRequest(`Charge ${charge.id} is already disputed.`, "charge");
  const amount = params.amount ?? charge.amount - charge.amount_refunded;
  if (amount <= 0 || amount > charge.amount) throw invalidRequest(`Invalid dispute amount ${amount} for charge ${charge.id}.`, "amount");
  const now = store.now();
  const dispute: Dispute = {
    id: newId("dispute"),
    object: "dispute",
    amount,
    balance_transactions: [],
    charge: charge.id,
    created: now,
    currency: charge.currency,
    evidence: { customer_communication: null, product_description: null, uncategorized_text: null },
    evidence_details: { due_by: now + params.dueInDays * 86_400, has_evidence: false, past_due: false, submission_count: 0 },
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: charge.payment_intent,
    reason: params.reason,
    status: "needs_response",
  };
  store.insert("dispute", dispute);
  store.update({ ...charge, disputed: true });
  emitEvent(store, "charge.dispute.created", dispute);
  const withdrawn = { ...dispute, balance_transactions: [balanceTransaction(store, dispute, -1)] };
  store.update(withdrawn);
  emitEvent(store, "charge.dispute.funds_withdrawn", withdrawn);
  return withdrawn;
}

/**
 * The card network decided: `charge.dispute.closed` with `won` (then `charge.dispute.funds_reinstated`:
 * the amount and the fee come back) or `lost` (the money stays with the cardholder).
 */
export function closeDispute(store: ObjectStore, dispute: Dispute, outcome: "won" | "lost"): Dispute {
  if (!OPEN_STATUSES.includes(dispute.status)) throw invalidRequest(`Dispute ${dispute.id} is already ${dispute.status}.`, "status");
  const closed: Dispute = {
    ...dispute,
    status: outcome,
    balance_transactions:
      outcome === "won" ? [...dispute.balance_transactions, balanceTransaction(store, dispute, 1)] : dispute.balance_transactions,
  };
  store.update(closed);
  emitEvent(store, "charge.dispute.closed", closed, { previousAttributes: changedFields(dispute, closed) });
  if (outcome === "won") emitEvent(store, "charge.dispute.funds_reinstated", closed);
  return closed;
}

const listParams = listSchema({ charge: z.string().optional(), payment_intent: z.string().optional() });
const updateParams = paramsSchema({
  evidence: z.record(z.string(), z.string()).optional(),
  metadata,
  submit: z.enum(["true", "false"]).optional(),
});

/** `GET/POST /v1/disputes[/:id]` and `POST /v1/disputes/:id/close` (accepting the dispute: it is lost). */
export const disputes = new Hono<AppEnv>()
  .get("/", (c) => {
    const params = parseParams(listParams, c.var.params);
    const matches = c.var.store
      .all<Dispute>("dispute")
      .filter(
        (d) => (!params.charge || d.charge === params.charge) && (!params.payment_intent || d.payment_intent === params.payment_intent),
      );
    return respondList(c, matches, params);
  })
  .get("/:id", (c) => {
    parseParams(paramsSchema({}), c.var.params);
    return respond(c, c.var.store.get("dispute", c.req.param("id")));
  })
  .post("/:id", (c) => {
    const params = parseParams(updateParams, c.var.params);
    const store = c.var.store;
    const dispute = store.get<Dispute>("dispute", c.req.param("id"));
    if (!OPEN_STATUSES.includes(dispute.status)) throw invalidRequest(`Dispute ${dispute.id} is already ${dispute.status}.`);
    const evidence = { ...dispute.evidence, ...(params.evidence ?? {}) };
    const submitted = params.submit !== "false";
    const updated: Dispute = {
      ...dispute,
      evidence,
      metadata: mergeMetadata(dispute.metadata, params.metadata),
      evidence_details: {
        ...dispute.evidence_details,
        has_evidence: Object.values(evidence).some((v) => v),
        submission_count: dispute.evidence_details.submission_count + (submitted ? 1 : 0),
      },
      status: submitted ? dispute.status.replace("needs_response", "under_review") : dispute.status,
    };
    store.update(updated);
    emitEvent(store, "charge.dispute.updated", updated, { previousAttributes: changedFields(dispute, updated) });
    return respond(c, updated);
  })
  .post("/:id/close", (c) => {
    parseParams(paramsSchema({}), c.var.params);
    const store = c.var.store;
    return respond(c, closeDispute(store, store.get<Dispute>("dispute", c.req.param("id")), "lost"));
  });
