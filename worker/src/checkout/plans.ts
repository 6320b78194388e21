import { type PlanInterval, subscriptionPlans } from "../../../shared/catalog";
import { AppError } from "../http/errors";
import type { PaidPricing } from "../stripe";

/** What the buyer pays for: the item's pricing, or the plan with the interval they picked (monthly or yearly). */
export function pricingToBuy(pricing: PaidPricing, interval: PlanInterval | undefined): PaidPricing {
  if (interval === undefined) return pricing;
  const plan = subscriptionPlans(pricing).find((offered) => offered.interval === interval);
  if (!plan) {
    throw new AppError("invalid_request", `This item has no ${interval === "month" ? "monthly" : "yearly"} plan`, {
      fields: { "body.interval": ["not offered by this item"] },
    });
  }
  return plan;
}
