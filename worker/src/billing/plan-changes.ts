import type { PlanInterval } from "../../../shared/catalog";
import type { PlanChangePreviewT, SubscriptionT } from "../../../shared/payments";
import { auditInsert } from "../audit";
import { findItem } from "../catalog";
import type { Ctx } from "../context";
import { AppError } from "../http/errors";
import { priceFor, stripeFor } from "../stripe";
import { offeredPlan } from "./plans";
import { listSubscriptions, ownSubscription, syncSubscription } from "./subscriptions";

const INTERVAL_NAMES: Record<PlanInterval, string> = { month: "monthly", year: "yearly" };
/** Invoice the proration at once (Stripe's default, create_prorations, would wait for the next renewal). */
const PRORATION = "always_invoice";
interface PlanChangeInput {
  userId: string;
  subscriptionId: string;
  interval: PlanInterval;
}

/** What a plan change starts from and goes to, checked: the buyer's active subscription, Stripe's item and the new price. */
async function planChangeTarget(ctx: Ctx, { userId, subscriptionId, interval }: PlanChangeInput) {
  const { env, db } = ctx;
  const row = await ownSubscription(db, userId, subscriptionId);
  if (row.status !== "active") throw new AppError("conflict", "Only an active subscription can change its plan");
  const found = await findItem(db, row.itemId);
  const plan = found && offeredPlan(found.item.pricing, interval);
  if (!found || !plan) throw new AppError("conflict", `This item has no ${INTERVAL_NAMES[interval]} plan`);
  // Stripe's subscription, not the mirror: the plan it bills now is what the change starts from.
  const current = await stripeFor(env).subscriptions.retrieve(row.stripeSubscriptionId);
  const [subscriptionItem] = current.items.data;
  if (!subscriptionItem) throw new Error(`Stripe subscription ${current.id} has no items`);
  if (subscriptionItem.price.recurring?.interval === interval) {
    throw new AppError("conflict", `This subscription is already on the ${INTERVAL_NAMES[interval]} plan`);
  }
  const price = await priceFor({ env, db }, { item: found.item, pricing: plan });
  return { row, plan, subscriptionItem, items: [{ id: subscriptionItem.id, price: price.priceId }] };
}

/**
 * What switching would cost now, as Stripe previews the invoice (`invoices.createPreview`): the
 * amount charged at once, and the credit left on the buyer's balance when the unused time is worth more.
 */
export async function previewPlanChange(ctx: Ctx, input: PlanChangeInput): Promise<PlanChangePreviewT> {
  const { row, plan, items } = await planChangeTarget(ctx, input);
  const preview = await stripeFor(ctx.env).invoices.createPreview({
    subscription: row.stripeSubscriptionId,
    subscription_details: { items, proration_behavior: PRORATION },
  });
  return {
    plan: { interval: plan.interval, amount: plan.amount, currency: plan.currency },
    dueNow: preview.amount_due,
    // The buyer's credit after this invoice (their balance is negative when in credit).
    creditLeft: Math.max(0, -(preview.starting_balance + preview.total)),
    currency: preview.currency,
  };
}

/**
 * Switches an active subscription to the item's plan with the other interval. Stripe prorates it
 * (`always_invoice`: the unused time of the old plan is credited and the new plan charged on one
 * invoice, paid at once; switching interval starts a new billing period now). The invoice reaches
 * the ledger through `invoice.paid` like any other; a credit larger than the charge stays on the
 * buyer's Stripe balance and pays the next renewals. The mirror follows Stripe's answer at once.
 */
export async function changePlan(ctx: Ctx, input: PlanChangeInput): Promise<SubscriptionT> {
  const { row, subscriptionItem, items } = await planChangeTarget(ctx, input);
  await stripeFor(ctx.env).subscriptions.update(
    row.stripeSubscriptionId,
    { items, proration_behavior: PRORATION },
    // The same change asked twice from the same state (a double click) is one change at Stripe.
    { idempotencyKey: `sub-plan:${row.id}:${items[0]!.price}:${row.updatedAt}` },
  );
  await syncSubscription(
    ctx,
    row.stripeSubscriptionId,
    [
      auditInsert(ctx, {
        action: "subscription.plan_changed",
        orgId: row.orgId,
        actorUserId: input.userId,
        targetType: "subscription",
        targetId: row.id,
        metadata: { from: subscriptionItem.price.recurring?.interval ?? null, to: input.interval, priceId: items[0]!.price },
      }),
    ],
    { planChanged: true },
  );
  return (await listSubscriptions(ctx, { userId: input.userId, id: row.id }))[0]!;
}
