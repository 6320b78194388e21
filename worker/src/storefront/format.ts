import type { ItemT, PricingT } from "../../../shared/catalog";
import { formatMoney as formatMoneyIn, formatPrice as formatPriceIn } from "../../../shared/money";
import { RATING_PRIOR } from "../catalog";

/** Display formatting for storefront pages. English only for now; amounts are integer minor units. */

/** Storefront pages are English (en-US) for now. */
export const formatMoney = (amount: number, currency: string) => formatMoneyIn(amount, currency, "en-US");
export const formatPrice = (pricing: PricingT) => formatPriceIn(pricing, "en-US");

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
