import type { ItemT, PricingT } from "../../../shared/catalog";
import { RATING_PRIOR } from "../catalog/queries";

/** Display formatting for storefront pages. English only for now; amounts are integer minor units. */

/** An amount in minor units, in its currency: `formatMoney(1999, "usd")` is "$19.99". */
export function formatMoney(amount: number, currency: string): string {
  const format = new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase() });
  // The currency's own minor unit: 2 digits for USD, 0 for JPY, 3 for KWD.
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amount / 10 ** digits);
}

export function formatPrice(pricing: PricingT): string {
  switch (pricing.model) {
    case "free":
      return "Free";
    case "one_time":
      return formatMoney(pricing.amount, pricing.currency);
    case "subscription":
      return `${formatMoney(pricing.amount, pricing.currency)} / ${pricing.interval}`;
    case "metered":
      return `${formatMoney(pricing.amount, pricing.currency)} per ${pricing.unit}`;
  }
}

export const formatCount = (n: number) => new Intl.NumberFormat("en-US", { notation: "compact" }).format(n);

export function formatRating(item: Pick<ItemT, "ratingAverage" | "reviewCount">): string {
  if (item.ratingAverage === null || item.reviewCount === 0) return "No reviews yet";
  return `${item.ratingAverage.toFixed(1)} ★ (${item.reviewCount} review${item.reviewCount === 1 ? "" : "s"})`;
}

/** UTC calendar date: pages are shared by everyone through the cache, so no per-visitor time zone. */
export const formatDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The same Bayesian average search sorts by, so "Top rated" and "Featured" agree with search. */
export function bayesianRating(item: Pick<ItemT, "ratingAverage" | "reviewCount">): number {
  const sum = (item.ratingAverage ?? 0) * item.reviewCount;
  return (RATING_PRIOR.count * RATING_PRIOR.mean + sum) / (RATING_PRIOR.count + item.reviewCount);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const kb = bytes / 1024;
  const oneDecimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });
  return kb < 1024 ? `${oneDecimal.format(kb)} KB` : `${oneDecimal.format(kb / 1024)} MB`;
}
