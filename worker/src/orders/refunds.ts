import type Stripe from "stripe";
import { truncateText } from "../../../shared/text";
import type { Ctx } from "../context";
import { sha256Hex } from "../crypto/hash";
import { newId } from "../crypto/random";
import type { Db } from "../db/client";
import { AppError } from "../http/errors";
import { stripeFor } from "../stripe";
import { findOrgOrder, type OrderRow } from "./queries";
import {
  claimRefund,
  findKeyedRefund,
  findRefund,
  markRefundFailed,
  pendingTotal,
  type RefundRow,
  recordStripeRefund,
  refundView,
  reopenFailedRefund,
} from "./refund-records";

/**
 * An author's or operator's refund: Stripe refunds the buyer, pulls the amount back from the
 * author's account (`reverse_transfer`) and returns the platform fee share. A `refunds` row is
 * written first and holds its amount while it is pending, so what is left counts refunds Stripe has
 * not confirmed yet; Plaza's order, ledger and access change when Stripe's refund events arrive
 * (refund-sync.ts), the single path for refunds made anywhere. A client `Idempotency-Key` names one refund of the order.
 */
export interface RefundRequest {
  /** The seller's org (an admin's refund); null for an operator, who may refund any order. */
  orgId: string | null;
  orderId: string;
  amount?: number;
  reason: string;
  actorUserId: string;
  idempotencyKey?: string;
}

export async function requestRefund(ctx: Ctx, input: RefundRequest) {
  const { db } = ctx;
  const order = await findOrgOrder(db, input.orgId, input.orderId);
  const requestHash = await sha256Hex(JSON.stringify({ amount: input.amount ?? null, reason: input.reason }));
  const keyed = input.idempotencyKey ? await findKeyedRefund(db, order.id, input.idempotencyKey) : undefined;
  const refund = keyed ?? (await newRefund(ctx, { order, request: input, requestHash }));
  if (refund.requestHash !== requestHash) {
    throw new AppError("idempotency_key_reused", "This Idempotency-Key was used for another refund of this order; use a new key");
  }
  return sendToStripe(ctx, order, refund);
}

/** The pending refund for this request, or the refused reason: nothing left (409), over the order (400), held by pending refunds (409). */
async function newRefund(
  ctx: Ctx,
  { order, request: input, requestHash }: { order: OrderRow; request: RefundRequest; requestHash: string },
): Promise<RefundRow> {
  const { db } = ctx;
  const now = Date.now();
  const unconfirmed = order.amount - order.amountRefunded;
  if (!order.paymentIntentId || unconfirmed <= 0) throw new AppError("conflict", "Nothing left to refund on this order");
  const amount = input.amount ?? unconfirmed - (await pendingTotal(db, order.id, now));
  if (amount > unconfirmed) {
    throw new AppError("invalid_request", `At most ${unconfirmed} can still be refunded`, {
      fields: { "body.amount": [`must be at most ${unconfirmed}`] },
    });
  }
  const row: RefundRow = {
    id: newId("refund"),
    orgId: order.orgId,
    orderId: order.id,
    amount,
    currency: order.currency,
    reason: input.reason,
    stripeRefundId: null,
    status: "pending",
    failureReason: null,
    requestedBy: input.actorUserId,
    idempotencyKey: input.idempotencyKey ?? null,
    requestHash,
    createdAt: now,
    updatedAt: now,
  };
  if (amount > 0 && (await claimRefund(ctx, row))) return row;
  // Refused by a guard: a concurrent request with the same key won (that refund is this one), or pending refunds hold what is left.
  const winner = input.idempotencyKey ? await findKeyedRefund(db, order.id, input.idempotencyKey) : undefined;
  if (winner) return winner;
  throw await heldByPendingRefunds(db, order.id);
}

async function heldByPendingRefunds(db: Db, orderId: string) {
  const now = Date.now();
  const order = await findOrgOrder(db, null, orderId);
  const left = order.amount - order.amountRefunded - (await pendingTotal(db, orderId, now));
  if (order.amount - order.amountRefunded <= 0) return new AppError("conflict", "Nothing left to refund on this order");
  return new AppError("refund_in_progress", `Refunds waiting for Stripe's confirmation leave ${Math.max(0, left)} to refund on this order`);
}

/**
 * Asks Stripe for the refund, keyed by its id: a retry, or a concurrent request with the same
 * client key, gets Stripe's one refund back instead of a second.
 */
async function sendToStripe({ env, db }: Ctx, order: OrderRow, refund: RefundRow) {
  if (refund.stripeRefundId) return refundView(refund, refund.stripeRefundId);
  if (refund.status === "failed" && !(await reopenFailedRefund(db, refund, Date.now()))) {
    // Another retry with this key reopened it first, or pending refunds now hold what is left.
    const current = (await findRefund(db, refund.id))!;
    if (current.stripeRefundId) return refundView(current, current.stripeRefundId);
    if (current.status === "failed") throw await heldByPendingRefunds(db, order.id);
  }
  let made: Stripe.Refund;
  try {
    made = await stripeFor(env).refunds.create(
      {
        payment_intent: order.paymentIntentId!,
        amount: refund.amount,
        reverse_transfer: true,
        refund_application_fee: true,
        metadata: { plaza_order_id: order.id, plaza_refund_id: refund.id, reason: truncateText(refund.reason, 450) },
      },
      { idempotencyKey: `refund:${refund.id}` },
    );
  } catch (err) {
    // Whatever Stripe said (or if it said nothing), the amount is no longer held here: Stripe still
    // refuses more than is left, and `charge.refunded` books this refund if it was made after all.
    await markRefundFailed(db, refund.id, Date.now());
    throw err;
  }
  await recordStripeRefund(db, refund.id, made.id, Date.now());
  return refundView((await findRefund(db, refund.id))!, made.id);
}
