import { and, desc, eq, inArray, notInArray, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type Stripe from "stripe";
import { type DisputeT, OPEN_DISPUTE_STATUSES } from "../../../shared/disputes";
import { formatMoney } from "../../../shared/money";
import { auditInsertIf } from "../audit";
import { findItemRef, itemNameSql } from "../catalog";
import type { Ctx } from "../context";
import { disputeEntitlementStatements, restoreEntitlementStatements, revokeEntitlementStatements } from "../entitlements";
import { disputeEntries } from "../ledger";
import { disputeOrderLicenses, revokeOrderLicenses, undisputeOrderLicenses } from "../licenses";
import { disputeOpenedMail, enqueueMail, formatLongDate } from "../mail";
import { NotYetKnown } from "../module";
import { notificationStatements } from "../notifications";
import { type OrderRow, orderOfPaymentIntent } from "../orders";
import { findOrg } from "../orgs";
import { stripeFor } from "../stripe";
import { enqueueWebhookEvents } from "../webhooks";
import { disputes } from "./tables";

type DisputeRow = typeof disputes.$inferSelect;

/** Stripe's final statuses: a row that reached one keeps it, whatever a late event read before. */
const FINAL_STATUSES = ["won", "lost", "warning_closed"];
/** A chargeback in progress (not an inquiry, `warning_*`, which takes no money): access is frozen. */
const FREEZING_STATUSES = ["needs_response", "under_review"];

const isOpen = (status: string) => (OPEN_DISPUTE_STATUSES as readonly string[]).includes(status);
/** The Earnings page lists the org's disputes. */
const DISPUTES_LINK = "/dashboard/earnings";

/** Where the dispute is answered: the platform's Stripe dashboard (destination charges are the platform's). */
export const respondUrl = (d: { id: string; livemode: boolean }) =>
  `https://dashboard.stripe.com/${d.livemode ? "" : "test/"}disputes/${d.id}`;

/** SQL: the dispute is a chargeback in progress when the statement runs (after its upsert in the batch). */
const stillFreezing = (id: string) =>
  sql`EXISTS (SELECT 1 FROM ${disputes} WHERE ${disputes.id} = ${id} AND ${inArray(disputes.status, FREEZING_STATUSES)})`;

async function paymentIntentOf(ctx: Ctx, dispute: Stripe.Dispute) {
  const direct = typeof dispute.payment_intent === "string" ? dispute.payment_intent : dispute.payment_intent?.id;
  if (direct) return direct;
  const chargeId = typeof dispute.charge === "string" ? dispute.charge : dispute.charge.id;
  const charge = await stripeFor(ctx.env).charges.retrieve(chargeId);
  return typeof charge.payment_intent === "string" ? charge.payment_intent : charge.payment_intent?.id;
}

/**
 * Brings Plaza in line with a dispute as Stripe reports it now, for every `charge.dispute.*` event
 * alike, so any order and any number of deliveries end the same, in one batch:
 * - the dispute's row (Stripe's status; a final one is kept);
 * - the ledger: each of its balance transactions booked once on the author's account (the amount
 *   and the fee withdrawn; both reinstated when it is won);
 * - access to a purchase: frozen (`disputed`) while the chargeback is open, given back when it is
 *   won, revoked for good (entitlement and keys) when it is lost;
 * - the org's admins get one notification per dispute while it is open (its e-mail has the deadline
 *   and the link), and one when it is decided.
 */
export async function syncDispute(ctx: Ctx, disputeId: string): Promise<boolean> {
  const { env, db } = ctx;
  const dispute = await stripeFor(env).disputes.retrieve(disputeId);
  const paymentIntentId = await paymentIntentOf(ctx, dispute);
  if (!paymentIntentId) return false;
  const found = await orderOfPaymentIntent(db, paymentIntentId);
  if (!found) throw new NotYetKnown(`No order yet for ${paymentIntentId}`);
  const { order, itemIds } = found;
  const now = Date.now();
  const row: DisputeRow = {
    id: dispute.id,
    orgId: order.orgId,
    orderId: order.id,
    itemId: itemIds[0] ?? null,
    amount: dispute.amount,
    currency: dispute.currency,
    reason: dispute.reason,
    status: dispute.status,
    evidenceDueBy: dispute.evidence_details.due_by === null ? null : dispute.evidence_details.due_by * 1000,
    livemode: dispute.livemode,
    createdAt: dispute.created * 1000,
    updatedAt: now,
  };
  const finalSql = sql.join(
    FINAL_STATUSES.map((s) => sql`${s}`),
    sql`, `,
  );
  const statements: BatchItem<"sqlite">[] = [
    // Before the upsert: each is written by the batch that first records the dispute, or its decision.
    ...disputeAudits(ctx, row),
    db
      .insert(disputes)
      .values(row)
      .onConflictDoUpdate({
        target: disputes.id,
        // Inside DO UPDATE, bare `disputes.*` is the existing row and `excluded.*` what Stripe says now.
        set: {
          status: sql`CASE WHEN disputes.status IN (${finalSql}) THEN disputes.status ELSE excluded.status END`,
          amount: row.amount,
          reason: row.reason,
          evidenceDueBy: row.evidenceDueBy,
          updatedAt: now,
        },
      }),
    ...(await disputeEntries(
      db,
      {
        orderId: order.id,
        orgId: order.orgId,
        currency: order.currency,
        transactions: dispute.balance_transactions.map((t) => ({ id: t.id, amount: t.amount, fee: t.fee })),
      },
      now,
    )),
    ...(await ctx.events.emit("dispute.recorded", { orgId: order.orgId, itemId: row.itemId, openedAt: row.createdAt, now })),
  ];
  const access = await accessStatements(ctx, { order, itemIds, dispute, now });
  statements.push(...access.statements);
  const notice = isOpen(dispute.status)
    ? await openedNotice(ctx, { order, row, now })
    : FINAL_STATUSES.includes(dispute.status)
      ? await closedNotice(ctx, { row, now })
      : { statements: [], mailIds: [] };
  statements.push(...notice.statements);
  await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  await enqueueWebhookEvents(env, access.webhookEventIds);
  await enqueueMail(ctx, notice.mailIds);
  return true;
}

/** `order.dispute_opened` once per dispute, and `order.dispute_closed` once it is decided (both at once for one Plaza first hears of closed). */
function disputeAudits(ctx: Ctx, row: DisputeRow) {
  const base = { orgId: row.orgId, targetType: "order", targetId: row.orderId } as const;
  const known = (final: boolean) =>
    sql`EXISTS (SELECT 1 FROM ${disputes} WHERE ${disputes.id} = ${row.id}${final ? sql` AND ${inArray(disputes.status, FINAL_STATUSES)}` : sql``})`;
  const opened = auditInsertIf(
    ctx,
    {
      ...base,
      action: "order.dispute_opened",
      metadata: { disputeId: row.id, amount: row.amount, currency: row.currency, reason: row.reason },
    },
    sql`NOT ${known(false)}`,
  );
  if (!FINAL_STATUSES.includes(row.status)) return [opened];
  const closed = auditInsertIf(
    ctx,
    { ...base, action: "order.dispute_closed", metadata: { disputeId: row.id, status: row.status } },
    sql`NOT ${known(true)}`,
  );
  return [opened, closed];
}

/** What the dispute's status means for the buyer's access to a purchase (a subscription's follows the subscription). */
async function accessStatements(
  ctx: Ctx,
  { order, itemIds, dispute, now }: { order: OrderRow; itemIds: string[]; dispute: Stripe.Dispute; now: number },
) {
  const statements: BatchItem<"sqlite">[] = [];
  const webhookEventIds: string[] = [];
  if (order.kind !== "purchase") return { statements, webhookEventIds };
  const keys = itemIds.map((itemId) => ({ userId: order.userId, itemId, source: "purchase" as const, now }));
  const add = (change: { statements: BatchItem<"sqlite">[]; webhookEventIds: string[] }) => {
    statements.push(...change.statements);
    webhookEventIds.push(...change.webhookEventIds);
  };
  if (FREEZING_STATUSES.includes(dispute.status)) {
    const onlyIf = stillFreezing(dispute.id);
    for (const key of keys) add(await disputeEntitlementStatements(ctx, { ...key, reference: order.id, onlyIf }));
    statements.push(disputeOrderLicenses(ctx.db, { orderId: order.id, onlyIf, now }));
  } else if (dispute.status === "lost") {
    for (const key of keys) add(await revokeEntitlementStatements(ctx, key));
    add(await revokeOrderLicenses(ctx, order.id, now));
  } else if (FINAL_STATUSES.includes(dispute.status)) {
    for (const key of keys) add(await restoreEntitlementStatements(ctx, { ...key, reference: order.id, from: "disputed" }));
    // After the entitlements: a key comes back only with its entitlement.
    statements.push(undisputeOrderLicenses(ctx.db, order.id, now));
  }
  return { statements, webhookEventIds };
}

/**
 * The org admins' notification of an open dispute (its e-mail channel sends the dispute mail with the
 * deadline): one per dispute and admin, whichever event writes it first.
 */
async function openedNotice(ctx: Ctx, { order, row, now }: { order: OrderRow; row: DisputeRow; now: number }) {
  const [org, item] = await Promise.all([findOrg(ctx.db, order.orgId), row.itemId ? findItemRef(ctx.db, row.itemId) : undefined]);
  const amount = formatMoney(row.amount, row.currency);
  const mail = disputeOpenedMail({
    orgName: org?.name ?? "your org",
    itemName: item?.name ?? "your item",
    orderId: order.id,
    amount,
    reason: row.reason.replaceAll("_", " "),
    dueBy: row.evidenceDueBy === null ? null : formatLongDate(row.evidenceDueBy),
    respondUrl: respondUrl(row),
  });
  const dueBy = row.evidenceDueBy === null ? "" : ` Respond by ${formatLongDate(row.evidenceDueBy)}.`;
  return notificationStatements(ctx, {
    type: "dispute_opened",
    recipients: { orgId: order.orgId, minRole: "admin" },
    title: `A dispute was opened: ${item?.name ?? "an order"}`,
    body: `The buyer disputed ${amount} of order ${order.id} (${row.reason.replaceAll("_", " ")}).${dueBy}`,
    link: DISPUTES_LINK,
    orgId: order.orgId,
    cause: row.id,
    mail,
    now,
  });
}

/** The org admins' notification of a decided dispute, once per dispute. */
async function closedNotice(ctx: Ctx, { row, now }: { row: DisputeRow; now: number }) {
  const item = row.itemId ? await findItemRef(ctx.db, row.itemId) : undefined;
  const outcome = row.status === "won" || row.status === "lost" ? row.status : "closed";
  const consequence = { won: " The money is back on your balance.", lost: " The buyer keeps the money.", closed: "" }[outcome];
  return notificationStatements(ctx, {
    type: "dispute_closed",
    recipients: { orgId: row.orgId, minRole: "admin" },
    title: `A dispute was ${outcome}: ${item?.name ?? "an order"}`,
    body: `The dispute of ${formatMoney(row.amount, row.currency)} on order ${row.orderId} was ${outcome}.${consequence}`,
    link: DISPUTES_LINK,
    orgId: row.orgId,
    cause: row.id,
    now,
  });
}

/** The org's disputes, newest first (the latest 100), all or only the open or closed ones. */
export async function listDisputes(ctx: Ctx, { orgId, state }: { orgId: string; state?: "open" | "closed" }): Promise<DisputeT[]> {
  const open = [...OPEN_DISPUTE_STATUSES];
  const rows = await ctx.db
    .select({ dispute: disputes, itemName: itemNameSql(disputes.itemId) })
    .from(disputes)
    .where(
      and(
        eq(disputes.orgId, orgId),
        state === "open" ? inArray(disputes.status, open) : state === "closed" ? notInArray(disputes.status, open) : undefined,
      ),
    )
    .orderBy(desc(disputes.createdAt), desc(disputes.id))
    .limit(100);
  return rows.map(({ dispute: d, itemName }) => ({
    id: d.id,
    orderId: d.orderId,
    itemId: d.itemId,
    itemName: itemName ?? null,
    amount: d.amount,
    currency: d.currency,
    reason: d.reason,
    status: d.status,
    open: isOpen(d.status),
    evidenceDueBy: d.evidenceDueBy,
    respondUrl: respondUrl(d),
    createdAt: d.createdAt,
  }));
}
