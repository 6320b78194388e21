import { and, eq, isNull, type SQL, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { RefundResultT } from "../../../shared/payments";
import { auditInsertIf } from "../audit";
import type { Ctx } from "../context";
import type { Db } from "../db/client";
import { insertIf } from "../db/insert-if";
import { orders, refunds } from "./tables";

export type RefundRow = typeof refunds.$inferSelect;

/**
 * A pending refund whose Stripe call never answered (the Worker stopped mid-request) stops holding
 * its amount after this; Stripe still refuses anything over what is left, and books the refund (by
 * its `plaza_refund_id`) if it was made after all.
 */
export const UNANSWERED_REFUND_HOLD_MS = 10 * 60 * 1000;

/** What pending refunds hold back of the order, in SQL (evaluated when the statement runs). */
const heldByPending = (orderId: string, now: number) =>
  sql`(SELECT coalesce(sum(${refunds.amount}), 0) FROM ${refunds} WHERE ${refunds.orderId} = ${orderId} AND ${refunds.status} = 'pending'
    AND (${refunds.stripeRefundId} IS NOT NULL OR ${refunds.updatedAt} > ${now - UNANSWERED_REFUND_HOLD_MS}))`;

/** At least `amount` is left: the order's amount, less what Stripe confirmed, less what is pending. */
const leavesAtLeast = (orderId: string, amount: number, now: number) =>
  sql`(SELECT ${orders.amount} - ${orders.amountRefunded} FROM ${orders} WHERE ${orders.id} = ${orderId}) - ${heldByPending(orderId, now)} >= ${amount}`;

export async function pendingTotal(db: Db, orderId: string, now: number): Promise<number> {
  const [row] = await db.select({ held: sql<number>`${heldByPending(orderId, now)}` }).from(sql`(SELECT 1)`);
  return row?.held ?? 0;
}

async function firstRefund(db: Db, where: SQL): Promise<RefundRow | undefined> {
  const [row] = await db.select().from(refunds).where(where).limit(1);
  return row;
}

export const findRefund = (db: Db, id: string) => firstRefund(db, eq(refunds.id, id));

export const findKeyedRefund = (db: Db, orderId: string, idempotencyKey: string) =>
  firstRefund(db, and(eq(refunds.orderId, orderId), eq(refunds.idempotencyKey, idempotencyKey))!);

/**
 * Writes the pending refund and its audit row, only if what is left still covers it when the
 * statement runs (concurrent requests cannot both take the last of an order) and no refund of the
 * order has this client key yet. False when either check refused it.
 */
export async function claimRefund(ctx: Pick<Ctx, "db" | "meta">, row: RefundRow): Promise<boolean> {
  const { db } = ctx;
  const [inserted] = await db.batch([
    insertIf(db, refunds, row, leavesAtLeast(row.orderId, row.amount, row.createdAt))
      .onConflictDoNothing()
      .returning({ id: refunds.id }),
    auditInsertIf(
      ctx,
      {
        action: "order.refund_requested",
        orgId: row.orgId,
        actorUserId: row.requestedBy,
        targetType: "order",
        targetId: row.orderId,
        metadata: { refundId: row.id, amount: row.amount, currency: row.currency, reason: row.reason },
      },
      sql`EXISTS (SELECT 1 FROM ${refunds} WHERE ${refunds.id} = ${row.id})`,
    ),
  ]);
  return inserted.length > 0;
}

/** A refund Stripe did not make is asked for again (the same client key): pending once more, if it still fits. */
export async function reopenFailedRefund(db: Db, row: RefundRow, now: number): Promise<boolean> {
  const reopened = await db
    .update(refunds)
    .set({ status: "pending", updatedAt: now })
    .where(
      and(
        eq(refunds.id, row.id),
        eq(refunds.status, "failed"),
        isNull(refunds.stripeRefundId),
        leavesAtLeast(row.orderId, row.amount, now),
      ),
    )
    .returning({ id: refunds.id });
  return reopened.length > 0;
}

/**
 * Stripe made the refund. A refund marked failed meanwhile (a concurrent request with the same key
 * saw an error) is pending again; one `charge.refunded` already booked stays succeeded.
 */
export const recordStripeRefund = (db: Db, id: string, stripeRefundId: string, now: number) =>
  db
    .update(refunds)
    .set({ stripeRefundId, status: sql`CASE WHEN ${refunds.status} = 'failed' THEN 'pending' ELSE ${refunds.status} END`, updatedAt: now })
    .where(eq(refunds.id, id));

/** Stripe answered with an error (or not at all): the amount is no longer held. */
export const markRefundFailed = (db: Db, id: string, now: number) =>
  db
    .update(refunds)
    .set({ status: "failed", updatedAt: now })
    .where(and(eq(refunds.id, id), eq(refunds.status, "pending"), isNull(refunds.stripeRefundId)));

/** Plaza's state for a Stripe refund: booked (Stripe counts pending ones as refunded too), failed or canceled. */
const BOOKED_STATUS: Partial<Record<string, RefundRow["status"]>> = {
  succeeded: "succeeded",
  pending: "succeeded",
  failed: "failed",
  canceled: "canceled",
};

/** A failure Stripe reported for a refund it made: final, so a stale read of it as succeeded changes nothing. */
const reportedUndone = sql`(${refunds.status} IN ('failed', 'canceled') AND ${refunds.stripeRefundId} IS NOT NULL)`;

/**
 * In the batch that books the charge's refunds into the order: each refund of the order that Stripe
 * lists (by the `plaza_refund_id` Plaza gave it) takes Stripe's outcome (and failure reason), so what
 * is pending and what is booked never overlap. Refunds made elsewhere have no row.
 */
export function refundOutcomeStatements(db: Db, orderId: string, stripeRefunds: Stripe.Refund[], now: number) {
  return stripeRefunds.flatMap((refund) => {
    const status = refund.status ? BOOKED_STATUS[refund.status] : undefined;
    const plazaId = refund.metadata?.plaza_refund_id;
    if (!status || !plazaId) return [];
    const undone = status === "failed" || status === "canceled";
    return [
      db
        .update(refunds)
        .set({ status, stripeRefundId: refund.id, failureReason: undone ? (refund.failure_reason ?? null) : null, updatedAt: now })
        .where(and(eq(refunds.id, plazaId), eq(refunds.orderId, orderId), undone ? undefined : sql`NOT ${reportedUndone}`)),
    ];
  });
}

/** SQL: Plaza's refund `plazaId` is not yet marked as Stripe's failure (for what is written once, when it is). */
export const notYetReportedUndone = (plazaId: string) =>
  sql`EXISTS (SELECT 1 FROM ${refunds} WHERE ${refunds.id} = ${plazaId} AND NOT ${reportedUndone})`;

export function refundView(row: RefundRow, stripeRefundId: string): RefundResultT {
  return { id: row.id, orderId: row.orderId, refundId: stripeRefundId, amount: row.amount, currency: row.currency, status: row.status };
}
