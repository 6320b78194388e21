import { type Context, Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "./context";
import { invalidRequest } from "./errors";
import { changedFields, emitEvent } from "./events";
import { parseParams } from "./params";
import type { Charge, PaymentIntent, PaymentTerms } from "./resources/payments";
import type { ObjectStore, StripeObject } from "./store";

/** Stripe's `refund.failure_reason` values. */
const FAILURE_REASONS = [
  "charge_for_pending_refund_disputed",
  "declined",
  "expired_or_canceled_card",
  "insufficient_funds",
  "lost_or_stolen_card",
  "merchant_request",
  "unknown",
] as const;

const holdParams = z.object({ hold: z.boolean() }).strict();
const settleParams = z
  .object({ status: z.enum(["succeeded", "failed", "canceled"]), failure_reason: z.enum(FAILURE_REASONS).optional() })
  .strict();

type Refund = StripeObject & { amount: number; charge: string; status: string; failure_reason?: string | null };
type HeldTerms = PaymentTerms & { holdRefunds?: boolean };

const json = (c: Context<AppEnv>) => c.req.json<Record<string, unknown>>().catch(() => ({}));

/** The status a new refund of this payment starts in: `pending` while the payment holds its refunds, as bank refunds do. */
export function newRefundStatus(store: ObjectStore, paymentIntentId: string): "pending" | "succeeded" {
  return store.internal<HeldTerms>(paymentIntentId)?.holdRefunds ? "pending" : "succeeded";
}

/**
 * A refund reaches its final status later, as in Stripe: `refund.updated` (and `refund.failed` when
 * it failed), `charge.refund.updated`. A failed or canceled refund gives its amount back to the
 * charge (`amount_refunded`). A succeeded refund may still fail, like Stripe's test card 4000000000005126.
 */
export function settleRefund(store: ObjectStore, refund: Refund, status: "succeeded" | "failed" | "canceled", failureReason?: string) {
  if (refund.status === status) return refund;
  if (refund.status === "failed" || refund.status === "canceled") {
    throw invalidRequest(`Refund ${refund.id} is already ${refund.status}.`, "status");
  }
  if (status === "canceled" && refund.status !== "pending") throw invalidRequest("Only a pending refund can be canceled.", "status");
  const settled: Refund = {
    ...refund,
    status,
    ...(status === "failed" ? { failure_reason: failureReason ?? "unknown" } : {}),
  };
  store.update(settled);
  if (status !== "succeeded") {
    const charge = store.get<Charge>("charge", refund.charge);
    const amountRefunded = Math.max(0, charge.amount_refunded - refund.amount);
    store.update({ ...charge, amount_refunded: amountRefunded, refunded: amountRefunded === charge.amount });
  }
  const previous = changedFields(refund, settled);
  emitEvent(store, "refund.updated", settled, { previousAttributes: previous });
  if (status === "failed") emitEvent(store, "refund.failed", settled, { previousAttributes: previous });
  emitEvent(store, "charge.refund.updated", settled, { previousAttributes: previous });
  return settled;
}

/** Emulator-only routes for a refund's lifecycle (mounted under `/_emulator`). */
export const adminRefunds = new Hono<AppEnv>()
  .post("/payment_intents/:id/hold_refunds", async (c) => {
    const params = parseParams(holdParams, await json(c));
    const store = c.var.store;
    const intent = store.get<PaymentIntent>("payment_intent", c.req.param("id"));
    store.setInternal(intent.id, { ...store.internal<HeldTerms>(intent.id), holdRefunds: params.hold });
    return c.json({ payment_intent: intent.id, hold: params.hold });
  })
  .post("/refunds/:id/settle", async (c) => {
    const params = parseParams(settleParams, await json(c));
    const store = c.var.store;
    return c.json(settleRefund(store, store.get<Refund>("refund", c.req.param("id")), params.status, params.failure_reason));
  });
