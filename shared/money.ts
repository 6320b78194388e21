/** Money and price wording shared by the storefront (server) and the web app (browser). */
import { type PricingT, subscriptionPlans } from "./catalog";

/**
 * An amount in integer minor units, in its currency's own digits: (1999, "usd") → "$19.99",
 * (500, "jpy") → "¥500". `locale` undefined means the runtime's (the browser's) locale.
 */
export function formatMoney(amount: number, currency: string, locale?: string): string {
  const format = new Intl.NumberFormat(locale, { style: "currency", currency: currency.toUpperCase() });
  return format.format(amount / 10 ** currencyDigits(currency));
}

/** How many minor units digits a currency has: 2 for usd (cents), 0 for jpy; 2 for a code Intl does not know. */
export function currencyDigits(currency: string): number {
  try {
    return (
      new Intl.NumberFormat("en", { style: "currency", currency: currency.toUpperCase() }).resolvedOptions().maximumFractionDigits ?? 2
    );
  } catch {
    return 2; // not a well-formed code: the form shows the currency field's own error
  }
}

/** An amount typed in the currency's units → minor units: ("9.99", "usd") → 999, ("500", "jpy") → 500; undefined if it is not one. */
export function parseAmount(text: string, currency: string): number | undefined {
  const digits = currencyDigits(currency);
  const match = /^(\d{1,9})(?:[.,](\d+))?$/.exec(text.trim());
  if (!match || (match[2]?.length ?? 0) > digits) return undefined;
  return Number(match[1]) * 10 ** digits + Number((match[2] ?? "").padEnd(digits, "0") || 0);
}

/** Minor units → the amount as typed in the currency's units: (999, "usd") → "9.99", (500, "jpy") → "500". */
export function amountText(amount: number, currency: string): string {
  const digits = currencyDigits(currency);
  return (amount / 10 ** digits).toFixed(digits);
}

/** "Free", "$19.00", "$9.00 / month", "$0.01 per call". */
export function formatPrice(pricing: PricingT, locale?: string): string {
  switch (pricing.model) {
    case "free":
      return "Free";
    case "one_time":
      return formatMoney(pricing.amount, pricing.currency, locale);
    case "subscription":
      // "$12.00 / month or $120.00 / year" when the item offers both plans.
      return subscriptionPlans(pricing)
        .map((plan) => `${formatMoney(plan.amount, plan.currency, locale)} / ${plan.interval}`)
        .join(" or ");
    case "metered":
      return `${formatMoney(pricing.amount, pricing.currency, locale)} per ${pricing.unit}`;
  }
}
