import { eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type Stripe from "stripe";
import { formatMoney } from "../../../shared/money";
import { auditInsert, auditInsertIf } from "../audit";
import { findItemRef } from "../catalog";
import type { Ctx } from "../context";
import { derivedId } from "../crypto/random";
import { restoreEntitlementStatements, revokeEntitlementStatements } from "../entitlements";
import { failedRefundEntries, orderRefundedSql, refundEntries } from "../ledger";
import { restoreOrderLicenses, revokeOrderLicenses, revokeSubscriptionLicense } from "../licenses";
import { enqueueMail, mailInsert, refundMail } from "../mail";
import { NotYetKnown } from "../module";
import { stripeFor } from "../stripe";
import { enqueueWebhookEvents } from "../webhooks";
import { refundNotices } from "./notices";
import type { OrderRow } from "./queries";
import { notYetReportedUndone, refundOutcomeStatements } from "./refund-records";
import { orderItems, orders } from "./tables";
import { orderRefundedEvent } from "./webhook-events";

/** What a Stripe refund's status means for the order: counted as refunded (pending counts, as in Stripe's `amount_refunded`), or undone. */
const isCounted = (r: Stripe.Refund) => r.status === "succeeded" || r.status === "pending";
const isUndone = (r: Stripe.Refund) => r.status === "failed" || r.status === "canceled";
const sum = (refunds: Stripe.Refund[]) => refunds.reduce((total, r) => total + r.amount, 0);

/**
 * Brings the order in line with its charge's refunds as Stripe lists them now, for `charge.refunded`,
 * `refund.updated` and `refund.failed` alike, so any order and any number of deliveries end the same:
 * - the ledger: each counted refund booked once (keyed by its id); a failed or canceled one booked
 *   and counter-booked, so it nets to nothing whichever event came first;
 * - the order's `amountRefunded` and status, computed in SQL from the ledger as the batch runs;
 * - access: revoked when the order is refunded in full (at once, not waiting for a pending refund to
 *   succeed: Stripe pulls the money back from the author when the refund is made); given back (the
 *   purchase's entitlement and license keys) when a failure is what leaves it less than fully refunded;
 * - Plaza's refund rows take Stripe's outcome; the buyer gets one confirmation e-mail per refund,
 *   written in the batch that records it succeeded, and the org's admins one notification per refund.
 * A subscription refunded in full is canceled too (and stays canceled if the refund then fails).
 */
export async function syncChargeRefunds(ctx: Ctx, chargeId: string) {
  const { env, db } = ctx;
  const stripe = stripeFor(env);
  const charge = await stripe.charges.retrieve(chargeId);
  const paymentIntentId = typeof charge.payment_intent === "string" ? charge.payment_intent : charge.payment_intent?.id;
  if (!paymentIntentId) return false;
  const [order] = await db.select().from(orders).where(eq(orders.paymentIntentId, paymentIntentId)).limit(1);
  if (!order) throw new NotYetKnown(`No order yet for ${paymentIntentId}`);
  const refunds = (await stripe.refunds.list({ charge: chargeId, limit: 100 })).data;
  const now = Date.now();

  const statements: BatchItem<"sqlite">[] = [];
  for (const refund of refunds.filter((r) => isCounted(r) || isUndone(r))) {
    const feeRefund = order.amount > 0 ? Math.round((order.feeAmount * refund.amount) / order.amount) : 0;
    const booking = {
      refundId: refund.id,
      orderId: order.id,
      orgId: order.orgId,
      amount: refund.amount,
      feeRefund,
      currency: order.currency,
    };
    statements.push(...(isUndone(refund) ? await failedRefundEntries(db, booking, now) : await refundEntries(db, booking, now)));
  }
  const counted = refunds.filter(isCounted);
  const refunded = Math.min(order.amount, sum(counted));
  const full = refunded >= order.amount;
  // A failure took the order below a full refund: what the full refund ended comes back.
  const restore = !full && refunded + sum(refunds.filter(isUndone)) >= order.amount;
  const ledgerRefunded = sql`min(${order.amount}, ${orderRefundedSql(order.orgId, order.id)})`;
  const lines = await db.select({ itemId: orderItems.itemId }).from(orderItems).where(eq(orderItems.orderId, order.id));
  const mails = await refundConfirmationMails(ctx, { order, refunds, itemId: lines[0]?.itemId, full });
  // Like the buyer's confirmation: once it succeeded (a pending one may still fail).
  const notices = await refundNotices(ctx, {
    order,
    refunds: refunds.filter((r) => r.status === "succeeded"),
    itemId: lines[0]?.itemId,
    now,
  });
  statements.push(
    // Before the rows take Stripe's outcome: each failure is audited once.
    ...refundFailedAudits(ctx, order, refunds),
    ...mails.map((m) => m.insert),
    db
      .update(orders)
      .set({
        amountRefunded: ledgerRefunded,
        status: sql`CASE WHEN ${ledgerRefunded} >= ${order.amount} THEN 'refunded' WHEN ${ledgerRefunded} > 0 THEN 'partially_refunded' ELSE 'paid' END`,
      })
      .where(eq(orders.id, order.id)),
    // In the same batch: a refund stops being pending exactly when the order's total includes it.
    ...refundOutcomeStatements(db, order.id, refunds, now),
  );
  const events = [];
  const entitlementEventIds: string[] = [];
  if (refunded > order.amountRefunded && lines[0]) {
    const after = { ...order, amountRefunded: refunded, status: full ? ("refunded" as const) : ("partially_refunded" as const) };
    events.push(await orderRefundedEvent(db, after, lines[0].itemId, now));
  }
  if (full && order.status !== "refunded") {
    for (const line of lines) {
      const revoke = await revokeEntitlementStatements(ctx, {
        userId: order.userId,
        itemId: line.itemId,
        source: order.kind === "purchase" ? "purchase" : "subscription",
        now,
      });
      statements.push(...revoke.statements);
      entitlementEventIds.push(...revoke.webhookEventIds);
    }
    const licensesRevoked =
      order.kind === "subscription" && order.subscriptionId
        ? await revokeSubscriptionLicense(ctx, order.subscriptionId, now)
        : await revokeOrderLicenses(ctx, order.id, now);
    statements.push(...licensesRevoked.statements);
    entitlementEventIds.push(...licensesRevoked.webhookEventIds);
    statements.push(
      auditInsert(ctx, {
        action: "order.refunded",
        orgId: order.orgId,
        targetType: "order",
        targetId: order.id,
        metadata: { amountRefunded: refunded, currency: order.currency },
      }),
    );
  }
  if (restore && order.kind === "purchase") {
    for (const line of lines) {
      const back = await restoreEntitlementStatements(ctx, {
        userId: order.userId,
        itemId: line.itemId,
        source: "purchase",
        reference: order.id,
        now,
      });
      statements.push(...back.statements);
      entitlementEventIds.push(...back.webhookEventIds);
    }
    // After the entitlements: a key comes back only with its entitlement.
    statements.push(restoreOrderLicenses(db, order.id, now));
  }
  // After the entries and any keys given back: the daily rollups recount the item's day.
  if (lines[0]) statements.push(...(await ctx.events.emit("order.refunds_booked", { orgId: order.orgId, itemId: lines[0].itemId, now })));
  statements.push(...events.map((e) => e.insert), ...notices.statements);
  await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  await enqueueWebhookEvents(env, [...events.map((e) => e.id), ...entitlementEventIds]);
  await enqueueMail(ctx, [...mails.map((m) => m.id), ...notices.mailIds]);
  // After the batch: billing cancels the subscription in Stripe.
  if (full && order.kind === "subscription" && order.subscriptionId)
    await ctx.events.emit("order.subscription_refunded", { orderId: order.id, subscriptionId: order.subscriptionId });
  return true;
}

/** `order.refund_failed` for each of Plaza's refunds Stripe now reports failed or canceled, written once (before its row is marked). */
function refundFailedAudits(ctx: Ctx, order: OrderRow, refunds: Stripe.Refund[]) {
  return refunds.flatMap((refund) => {
    const plazaId = refund.metadata?.plaza_refund_id;
    if (!isUndone(refund) || !plazaId) return [];
    return [
      auditInsertIf(
        ctx,
        {
          action: "order.refund_failed",
          orgId: order.orgId,
          targetType: "order",
          targetId: order.id,
          metadata: { refundId: plazaId, stripeRefundId: refund.id, status: refund.status, failureReason: refund.failure_reason ?? null },
        },
        notYetReportedUndone(plazaId),
      ),
    ];
  });
}

/**
 * The buyer's confirmation of each refund Stripe reports succeeded: one e-mail per Stripe refund
 * (its id derived from the refund's), whichever delivery writes it first.
 */
async function refundConfirmationMails(
  ctx: Ctx,
  { order, refunds, itemId, full }: { order: OrderRow; refunds: Stripe.Refund[]; itemId: string | undefined; full: boolean },
) {
  const succeeded = refunds.filter((r) => r.status === "succeeded");
  if (succeeded.length === 0) return [];
  const item = itemId ? await findItemRef(ctx.db, itemId) : undefined;
  return Promise.all(
    succeeded.map(async (refund) => {
      const id = await derivedId("mail", `refund:${refund.id}`);
      const mail = refundMail({
        itemName: item?.name ?? "your purchase",
        orderId: order.id,
        amount: formatMoney(refund.amount, order.currency),
        full,
        portalUrl: `${ctx.env.APP_URL}/dashboard/purchases`,
      });
      const { insert } = await mailInsert(ctx, { to: order.email, mail, id });
      return { id, insert: insert.onConflictDoNothing() };
    }),
  );
}
