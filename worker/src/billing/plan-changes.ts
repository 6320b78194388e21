import type { PlanInterval } from "../../../shared/catalog";
import type { SubscriptionT } from "../../../shared/payments";
import { auditInsert } from "../audit";
import { findItem } from "../catalog";
import type { Ctx } from "../context";
import { AppError } from "../http/errors";
import { priceFor, stripeFor } from "../stripe";
import { offeredPlan } from "./plans";
import { listSubscriptions, ownSubscription, syncSubscription } from "./subscriptions";

const INTERVAL_NAMES: Record<PlanInterval, string> = { month: "monthly", year: "yearly" };

/**
 * Switches an active subscription to the item's plan with the other interval. Stripe prorates it
 * (`always_invoice`: the unused time of the old plan is credited and the new plan charged on one
 * invoice, paid at once; switching interval starts a new billing period now). The invoice reaches
 * the ledger through `invoice.paid` like any other; a credit larger than the charge stays on the
 * buyer's Stripe balance and pays the next renewals. The mirror follows Stripe's answer at once.
 */
export async function changePlan(
  ctx: Ctx,
  { userId, subscriptionId, interval }: { userId: string; subscriptionId: string; interval: PlanInterval },
): Promise<SubscriptionT> {
  const { env, db } = ctx;
  const row = await ownSubscription(db, userId, subscriptionId);
  if (row.status !== "active") throw new AppError("conflict", "Only an active subscription can change its plan");
  const found = await findItem(db, row.itemId);
  const plan = found && offeredPlan(found.item.pricing, interval);
  if (!found || !plan) throw new AppError("conflict", `This item has no ${INTERVAL_NAMES[interval]} plan`);
  const stripe = stripeFor(env);
  // Stripe's subscription, not the mirror: the plan it bills now is what the change starts from.
  const current = await stripe.subscriptions.retrieve(row.stripeSubscriptionId);
  const [subscriptionItem] = current.items.data;
  if (!subscriptionItem) throw new Error(`Stripe subscription ${current.id} has no items`);
  if (subscriptionItem.price.recurring?.interval === interval) {
    throw new AppError("conflict", `This subscription is already on the ${INTERVAL_NAMES[interval]} plan`);
  }
  const price = await priceFor({ env, db }, { item: found.item, pricing: plan });
  await stripe.subscriptions.update(
    current.id,
    { items: [{ id: subscriptionItem.id, price: price.priceId }], proration_behavior: "always_invoice" },
    // The same change asked twice from the same state (a double click) is one change at Stripe.
    { idempotencyKey: `sub-plan:${row.id}:${price.priceId}:${row.updatedAt}` },
  );
  await syncSubscription(
    ctx,
    row.stripeSubscriptionId,
    [
      auditInsert(ctx, {
        action: "subscription.plan_changed",
        orgId: row.orgId,
        actorUserId: userId,
        targetType: "subscription",
        targetId: row.id,
        metadata: { from: subscriptionItem.price.recurring?.interval ?? null, to: interval, priceId: price.priceId },
      }),
    ],
    { planChanged: true },
  );
  return (await listSubscriptions(ctx, { userId, id: row.id }))[0]!;
}
