import { type PlanInterval, type PricingT, subscriptionPlans } from "../../../shared/catalog";
import type { SubscriptionPlanT } from "../../../shared/payments";
import type { subscriptions } from "./tables";

type SubscriptionRow = typeof subscriptions.$inferSelect;
const isPlanInterval = (interval: string | null): interval is PlanInterval => interval === "month" || interval === "year";

/** The plan a subscription is billed on, as Stripe last said; null for a row mirrored before plans were kept. */
export function currentPlan(row: SubscriptionRow): SubscriptionPlanT | null {
  if (!isPlanInterval(row.interval) || row.amount === null || row.currency === null) return null;
  return { interval: row.interval, amount: row.amount, currency: row.currency };
}

/** The plan with `interval` the item offers now (its pricing may have changed since the buyer subscribed). */
export function offeredPlan(pricing: PricingT, interval: PlanInterval) {
  return subscriptionPlans(pricing).find((plan) => plan.interval === interval);
}

/** The item's plan the subscription could switch to: the other interval, while it is active. */
export function switchablePlan(row: SubscriptionRow, pricing: PricingT | undefined): SubscriptionPlanT | null {
  const plan = currentPlan(row);
  if (!plan || !pricing || row.status !== "active") return null;
  const other = offeredPlan(pricing, plan.interval === "month" ? "year" : "month");
  return other ? { interval: other.interval, amount: other.amount, currency: other.currency } : null;
}
