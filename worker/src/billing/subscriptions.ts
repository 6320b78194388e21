import { and, desc, eq, inArray } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type Stripe from "stripe";
import type { SubscriptionT } from "../../../shared/payments";
import { auditInsert } from "../audit";
import { accountForBuyer, findAccountByEmail } from "../auth";
import { findItemRef, itemNameSql, itemSlugSql, itemsById } from "../catalog";
import type { Ctx } from "../context";
import { couponSale } from "../coupons";
import { derivedId } from "../crypto/random";
import type { Db } from "../db/client";
import { grantEntitlementStatements, revokeEntitlementStatements } from "../entitlements";
import type { Env } from "../env";
import { AppError, notFound } from "../http/errors";
import { issuedKey, issueLicenseStatements, revokeSubscriptionLicense } from "../licenses";
import { enqueueMail, mailInsert, paymentFailedMail } from "../mail";
import { notificationStatements } from "../notifications";
import { linkEntitlement, orderExists, orderIdOf, plazaMetadata, saleStatements } from "../orders";
import { receiptStatement } from "../receipts";
import { stripeFor } from "../stripe";
import { enqueueWebhookEvents, webhookEvent } from "../webhooks";
import { feeKeptOnInvoice, invoiceTax } from "./invoice-tax";
import { currentPlan, switchablePlan } from "./plans";
import { subscriptions } from "./tables";

/** Renewal invoices are paid at period end; access lasts a day past it so the webhook can land. */
export const RENEWAL_LEEWAY_MS = 86_400_000;
export const ENDED = new Set(["canceled", "unpaid", "incomplete_expired"]);
const LIVE = ["active", "trialing", "past_due"] as const;

export const graceDays = (env: Env) => Number(env.SUBSCRIPTION_GRACE_DAYS ?? 7);

const periodEndOf = (sub: Stripe.Subscription) => Math.max(...sub.items.data.map((i) => i.current_period_end)) * 1000;
/** When the current period began: for a past-due subscription, the renewal that failed (Stripe's clock, not ours). */
const periodStartOf = (sub: Stripe.Subscription) => Math.min(...sub.items.data.map((i) => i.current_period_start)) * 1000;

const priceIdOf = (price: string | Stripe.Price | null | undefined) => (typeof price === "string" ? price : (price?.id ?? null));

/** The plan Stripe bills: the subscription's licensed item's price (a metered item has no interval a buyer switches). */
const planOf = (sub: Stripe.Subscription) => {
  const { price } = sub.items.data[0]!;
  return { priceId: price.id, interval: price.recurring?.interval ?? null, amount: price.unit_amount, currency: price.currency };
};

/** An invoice's subscription id, from the current API's `parent.subscription_details`. */
export function subscriptionOfInvoice(invoice: Stripe.Invoice): string | undefined {
  const sub = invoice.parent?.subscription_details?.subscription;
  return typeof sub === "string" ? sub : sub?.id;
}

/**
 * Mirrors a Stripe subscription into Plaza, its entitlement and its license: active → valid until
 * the period ends; past due → valid until the grace period ends; canceled or unpaid → revoked. The
 * subscription is re-fetched, so events processed in any order end in Stripe's current state.
 * One license per subscription, issued the first time it is live; its expiry follows the
 * entitlement's. `license` is the key when this call issued it (see FulfillmentResult).
 * Access is never shortened by a sync, except by the one right after a plan change (`planChanged`).
 */
export async function syncSubscription(
  ctx: Ctx,
  stripeSubscriptionId: string,
  extra: BatchItem<"sqlite">[] = [],
  { planChanged = false }: { planChanged?: boolean } = {},
) {
  const { env, db } = ctx;
  const sub = await stripeFor(env).subscriptions.retrieve(stripeSubscriptionId);
  const metadata = plazaMetadata(sub.metadata);
  if (!metadata) return undefined;
  const userId = await accountForBuyer(db, metadata.plaza_email);
  const id = await derivedId("subscription", sub.id);
  const [existing] = await db.select().from(subscriptions).where(eq(subscriptions.id, id)).limit(1);
  const now = Date.now();
  const periodEnd = periodEndOf(sub);
  const pastDue = sub.status === "past_due";
  // Grace runs from the failed renewal; later failures of the same episode do not extend it.
  const graceUntil = pastDue ? (existing?.graceUntil ?? periodStartOf(sub) + graceDays(env) * 86_400_000) : null;
  const target = { userId, itemId: metadata.plaza_item_id, source: "subscription" as const };

  const live = sub.status === "active" || sub.status === "trialing" || pastDue;
  const license = live
    ? await issueLicenseStatements(ctx, {
        source: { kind: "subscription", subscriptionId: id },
        orgId: metadata.plaza_org_id,
        itemId: metadata.plaza_item_id,
        userId,
        checkoutId: metadata.plaza_checkout_id,
        now,
      })
    : undefined;
  const receipt = license
    ? await receiptStatement(
        { env, db },
        {
          licenseId: license.licenseId,
          key: license.key,
          to: metadata.plaza_email,
          itemName: license.itemName,
          issuedByThisAttempt: license.issuedByThisAttempt,
          now,
        },
      )
    : undefined;
  const grant = live
    ? await grantEntitlementStatements(ctx, {
        ...target,
        reference: id,
        expiresAt: pastDue ? graceUntil : periodEnd + RENEWAL_LEEWAY_MS,
        // A plan change moved the period (a switch to monthly shortens it): access follows it exactly.
        exactExpiry: planChanged,
        now,
      })
    : undefined;
  const revoke = ENDED.has(sub.status) ? await revokeEntitlementStatements(ctx, { ...target, now }) : undefined;
  const licenseRevoke = revoke ? await revokeSubscriptionLicense(ctx, id, now) : undefined;
  const access: BatchItem<"sqlite">[] = revoke
    ? [...revoke.statements, ...licenseRevoke!.statements]
    : [...(grant?.statements ?? []), ...(license?.statements ?? []), ...(receipt ? [receipt.statement] : [])];
  const fields = {
    status: sub.status,
    currentPeriodStart: periodStartOf(sub),
    currentPeriodEnd: periodEnd,
    cancelAtPeriodEnd: sub.cancel_at_period_end,
    graceUntil,
    ...planOf(sub),
    updatedAt: now,
  };
  const event = existing ? await subscriptionChangeEvent(db, existing, { id, ...fields }, now) : undefined;
  // The daily rollups recount the days this sync moves the subscription's start, end or last change in.
  const synced = await ctx.events.emit("subscription.synced", {
    orgId: metadata.plaza_org_id,
    itemId: metadata.plaza_item_id,
    at: existing ? [existing.createdAt, existing.updatedAt, now] : [now],
  });
  const results = await db.batch([
    db
      .insert(subscriptions)
      .values({
        id,
        stripeSubscriptionId: sub.id,
        orgId: metadata.plaza_org_id,
        itemId: metadata.plaza_item_id,
        userId,
        customerId: String(sub.customer),
        createdAt: now,
        ...fields,
      })
      .onConflictDoUpdate({ target: subscriptions.id, set: fields }),
    ...access,
    // After access: `issuedKey` finds the license's statements by their position.
    ...synced,
    ...extra,
    ...(event ? [event.insert] : []),
  ]);
  // The license's statements follow the subscription upsert and the grant.
  const key = license ? issuedKey(license, results, 1 + (grant?.statements.length ?? 0)) : null;
  if (receipt && key) await enqueueMail({ env }, [receipt.id]);
  await enqueueWebhookEvents(env, [
    ...(license && key ? [license.webhookEventId] : []),
    ...(event ? [event.id] : []),
    ...(grant?.webhookEventIds ?? []),
    ...(revoke?.webhookEventIds ?? []),
    ...(licenseRevoke?.webhookEventIds ?? []),
  ]);
  return { id, userId, metadata, status: sub.status, license: license && key ? { id: license.licenseId, key } : null };
}

/**
 * `subscription.updated` (or `.canceled` once it ended) when what a subscriber sees changed:
 * status, cancel at period end, or the period. One event per distinct state.
 */
async function subscriptionChangeEvent(
  db: Db,
  before: typeof subscriptions.$inferSelect,
  after: Pick<typeof subscriptions.$inferSelect, "id" | "status" | "currentPeriodEnd" | "cancelAtPeriodEnd">,
  now: number,
) {
  if (
    before.status === after.status &&
    before.cancelAtPeriodEnd === after.cancelAtPeriodEnd &&
    before.currentPeriodEnd === after.currentPeriodEnd
  )
    return undefined;
  const type = ENDED.has(after.status) ? "subscription.canceled" : "subscription.updated";
  const item = await findItemRef(db, before.itemId);
  if (!item) throw new Error(`No item ${before.itemId} for a webhook event`);
  const data = {
    id: after.id,
    item,
    userId: before.userId,
    status: after.status,
    currentPeriodEnd: after.currentPeriodEnd,
    cancelAtPeriodEnd: after.cancelAtPeriodEnd,
  };
  return webhookEvent(db, before.orgId, type, data, {
    cause: `${after.id}:${after.status}:${after.cancelAtPeriodEnd}:${after.currentPeriodEnd}`,
    now,
  });
}

/**
 * A paid subscription invoice is a sale: one order per invoice (its id is the key) with its tax, the
 * ledger's entries, and the subscription re-synced. Zero-amount invoices (a metered plan's first one) only
 * sync the subscription.
 */
export async function recordInvoicePayment(ctx: Ctx, invoiceId: string) {
  const { env, db } = ctx;
  const stripe = stripeFor(env);
  const invoice = await stripe.invoices.retrieve(invoiceId);
  const subscriptionId = subscriptionOfInvoice(invoice);
  if (!subscriptionId || invoice.status !== "paid") return undefined;
  const sub = await stripe.subscriptions.retrieve(subscriptionId);
  const metadata = plazaMetadata(sub.metadata);
  if (!metadata) return undefined;
  const known = await orderExists(db, await orderIdOf(invoice.id!));
  if (known || invoice.amount_paid === 0) return syncSubscription(ctx, subscriptionId);

  const userId = await accountForBuyer(db, metadata.plaza_email);
  const payments = await stripe.invoicePayments.list({ invoice: invoice.id!, limit: 10 });
  const paymentIntent = payments.data.map((p) => p.payment?.payment_intent).find(Boolean);
  const paymentIntentId = typeof paymentIntent === "string" ? paymentIntent : (paymentIntent?.id ?? null);
  const tax = await invoiceTax(stripe, invoice);
  // Stripe took its percentage of the total with the tax; the tax's share goes back to the author (invoice-tax.ts).
  const fee = await feeKeptOnInvoice(stripe, {
    invoiceId: invoice.id!,
    amountPaid: invoice.amount_paid,
    percent: sub.application_fee_percent ?? 0,
    tax: tax?.amount ?? 0,
    paymentIntentId,
  });
  const coupon = await couponSale(db, {
    couponId: metadata.plaza_coupon_id,
    orderId: await orderIdOf(invoice.id!),
    discountAmount: (invoice.total_discount_amounts ?? []).reduce((sum, d) => sum + d.amount, 0),
    // Stripe counts a subscription's code once, when it starts; its invoices show what it took off each.
    redeems: invoice.billing_reason === "subscription_create",
    now: Date.now(),
  });
  const sale = await saleStatements(ctx, {
    sourceId: invoice.id!,
    kind: "subscription",
    metadata,
    userId,
    amount: invoice.amount_paid,
    fee,
    currency: invoice.currency,
    // A plan change's invoice credits the old price first: the sale is of the price charged.
    priceId: priceIdOf((invoice.lines.data.find((line) => line.amount > 0) ?? invoice.lines.data[0])?.pricing?.price_details?.price),
    paymentIntentId,
    subscriptionId: await derivedId("subscription", subscriptionId),
    tax,
    discount: coupon.discount,
  });
  const synced = await syncSubscription(ctx, subscriptionId, [
    ...sale.statements,
    ...coupon.statements,
    linkEntitlement(db, { orderId: sale.orderId, userId, itemId: metadata.plaza_item_id, source: "subscription" }),
  ]);
  await enqueueWebhookEvents(env, sale.webhookEventIds);
  await enqueueMail(ctx, sale.mailIds);
  return synced;
}

/** A failed renewal: past due with a grace period, and the buyer is told how to fix it. */
export async function recordInvoiceFailure(ctx: Ctx, invoiceId: string) {
  const { env, db } = ctx;
  const invoice = await stripeFor(env).invoices.retrieve(invoiceId);
  const subscriptionId = subscriptionOfInvoice(invoice);
  if (!subscriptionId) return { mailIds: [] as string[] };
  const sub = await stripeFor(env).subscriptions.retrieve(subscriptionId);
  const metadata = plazaMetadata(sub.metadata);
  if (!metadata) return { mailIds: [] as string[] };
  const [item, buyer] = await Promise.all([findItemRef(db, metadata.plaza_item_id), findAccountByEmail(db, metadata.plaza_email)]);
  const grace = graceDays(env);
  const mail = await mailInsert(
    { env, db },
    { to: metadata.plaza_email, mail: paymentFailedMail(item?.name ?? "your subscription", grace, `${env.APP_URL}/dashboard/purchases`) },
  );
  // The dunning mail above always goes (transactional); the notification is the buyer's in-app copy of how to fix it.
  const notice = await notificationStatements(ctx, {
    type: "payment_failed",
    recipients: { userIds: buyer ? [buyer.id] : [] },
    title: `Your payment for ${item?.name ?? "a subscription"} failed`,
    body: `You keep access for ${grace} more days while the payment is retried. On Purchases, choose Update payment method, enter a new card and pay the open invoice.`,
    link: "/dashboard/purchases",
    orgId: null,
    cause: invoice.id!,
  });
  await syncSubscription(ctx, subscriptionId, [mail.insert, ...notice.statements]);
  return { mailIds: [mail.id, ...notice.mailIds] };
}

/** A subscription whose order was refunded in full is canceled in Stripe (its mirror follows Stripe's event). */
export async function cancelRefundedSubscription({ env, db }: Ctx, subscriptionId: string) {
  const [sub] = await db.select().from(subscriptions).where(eq(subscriptions.id, subscriptionId)).limit(1);
  if (!sub || sub.status === "canceled") return;
  const stripe = stripeFor(env);
  const current = await stripe.subscriptions.retrieve(sub.stripeSubscriptionId);
  if (current.status !== "canceled") await stripe.subscriptions.cancel(sub.stripeSubscriptionId);
}

/** Whether the user has a subscription to the item that still runs (a past-due one too): checkout refuses a second. */
export async function hasLiveSubscription(db: Db, { userId, itemId }: { userId: string; itemId: string }) {
  const [live] = await db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(and(eq(subscriptions.userId, userId), eq(subscriptions.itemId, itemId), inArray(subscriptions.status, LIVE)))
    .limit(1);
  return live !== undefined;
}

export async function ownSubscription(db: Db, userId: string, id: string) {
  const [row] = await db
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.id, id), eq(subscriptions.userId, userId)))
    .limit(1);
  if (!row) throw notFound("Subscription");
  return row;
}

/** Cancel at period end (`cancel: true`) or resume (`false`); Stripe's answer is mirrored at once. */
export async function setCancelAtPeriodEnd(
  ctx: Ctx,
  { userId, subscriptionId: id, cancel }: { userId: string; subscriptionId: string; cancel: boolean },
): Promise<SubscriptionT> {
  const { env, db } = ctx;
  const row = await ownSubscription(db, userId, id);
  if (ENDED.has(row.status)) throw new AppError("conflict", "This subscription has ended");
  await stripeFor(env).subscriptions.update(
    row.stripeSubscriptionId,
    { cancel_at_period_end: cancel },
    { idempotencyKey: `sub-cancel:${row.id}:${cancel}:${row.updatedAt}` },
  );
  await syncSubscription(ctx, row.stripeSubscriptionId, [
    auditInsert(ctx, {
      action: cancel ? "subscription.cancel_requested" : "subscription.resumed",
      orgId: row.orgId,
      actorUserId: userId,
      targetType: "subscription",
      targetId: row.id,
    }),
  ]);
  return (await listSubscriptions(ctx, { userId, id }))[0]!;
}

/** The buyer's subscriptions with their items, newest first (or one, by id). */
export async function listSubscriptions({ db }: Ctx, { userId, id }: { userId: string; id?: string }): Promise<SubscriptionT[]> {
  const rows = await db
    .select({ sub: subscriptions, itemSlug: itemSlugSql(subscriptions.itemId), itemName: itemNameSql(subscriptions.itemId) })
    .from(subscriptions)
    .where(and(eq(subscriptions.userId, userId), id ? eq(subscriptions.id, id) : undefined))
    .orderBy(desc(subscriptions.createdAt))
    .limit(100);
  const items = await itemsById(
    db,
    rows.map(({ sub }) => sub.itemId),
  );
  return rows.map(({ sub, itemSlug, itemName }) => ({
    id: sub.id,
    itemId: sub.itemId,
    itemSlug,
    itemName,
    status: sub.status,
    currentPeriodEnd: sub.currentPeriodEnd,
    cancelAtPeriodEnd: sub.cancelAtPeriodEnd,
    graceUntil: sub.graceUntil,
    plan: currentPlan(sub),
    switchTo: switchablePlan(sub, items.get(sub.itemId)?.pricing),
  }));
}
