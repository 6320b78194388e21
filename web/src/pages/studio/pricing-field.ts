/**
 * The pricing of an item, as the New item form and the Details tab edit it: the model (free,
 * one-time, monthly or yearly subscription, metered), the amount in the currency's units (9.99,
 * not 999 cents), and what the author receives of it after the platform fee.
 */
import { z } from "zod";
import { Currency, Pricing, type PricingT } from "../../../../shared/catalog";
import { authorReceives, type PlatformFee } from "../../../../shared/fees";
import { amountText, formatMoney, parseAmount } from "../../../../shared/money";
import { h, uniqueId } from "../../dom";
import { formValue } from "../../ui/form";

const MODELS = [
  ["free", "Free"],
  ["one_time", "One-time payment"],
  ["month", "Subscription, monthly"],
  ["year", "Subscription, yearly"],
  ["metered", "Metered: per unit used"],
] as const;
type ModelChoice = (typeof MODELS)[number][0];

const choiceOf = (p: PricingT): ModelChoice => (p.model === "subscription" ? p.interval : p.model);

/** What the form reads, checked like the API checks it; every issue lands on the `pricing` field. */
export const PricingInput = z
  .object({
    choice: z.string(),
    amount: z.string(),
    currency: z.string().trim().toLowerCase(),
    unit: z.string().trim(),
    /** A subscription's optional price for the other interval (yearly for a monthly one, or monthly). */
    otherAmount: z.string().trim().default(""),
  })
  .transform((f, ctx) => {
    if (f.choice === "free") return { model: "free" };
    const currency = Currency.safeParse(f.currency);
    if (!currency.success) {
      ctx.addIssue({ code: "custom", message: "the currency must be a three-letter code like usd" });
      return z.NEVER;
    }
    const amount = parseAmount(f.amount, f.currency);
    if (amount === undefined) {
      ctx.addIssue({ code: "custom", message: `enter the amount in ${f.currency.toUpperCase()}, like ${amountText(999, f.currency)}` });
      return z.NEVER;
    }
    // The API's minimum (50 minor units, like Stripe's), said in the currency's units.
    if (f.choice !== "metered" && amount < 50) {
      ctx.addIssue({ code: "custom", message: `the amount must be at least ${amountText(50, f.currency)}` });
      return z.NEVER;
    }
    if (f.choice === "one_time") return { model: "one_time", amount, currency: f.currency };
    if (f.choice === "metered") {
      if (!f.unit) {
        ctx.addIssue({ code: "custom", message: "name the unit a buyer pays for, like call" });
        return z.NEVER;
      }
      return { model: "metered", amount, currency: f.currency, unit: f.unit };
    }
    if (!f.otherAmount) return { model: "subscription", amount, currency: f.currency, interval: f.choice };
    const otherIntervalAmount = parseAmount(f.otherAmount, f.currency);
    if (otherIntervalAmount === undefined || otherIntervalAmount < 50) {
      ctx.addIssue({
        code: "custom",
        message: `the ${f.choice === "month" ? "yearly" : "monthly"} price must be at least ${amountText(50, f.currency)}, or empty`,
      });
      return z.NEVER;
    }
    return { model: "subscription", amount, currency: f.currency, interval: f.choice, otherIntervalAmount };
  })
  .pipe(Pricing);

export const readPricing = (form: HTMLFormElement) => ({
  choice: formValue(form, "pricingModel"),
  amount: formValue(form, "amount"),
  currency: formValue(form, "currency"),
  unit: formValue(form, "unit"),
  otherAmount: formValue(form, "otherAmount"),
});

/** The pricing fieldset; `fee` (null until known) makes it say what the author receives. */
export function pricingField(current: PricingT, fee: PlatformFee | null): HTMLFieldSetElement {
  const id = uniqueId("pricing");
  const paid = current.model === "free" ? undefined : current;
  const model = h(
    "select",
    { id: `${id}-model`, name: "pricingModel" },
    MODELS.map(([value, label]) => h("option", { value, selected: value === choiceOf(current) }, label)),
  );
  const input = (name: string, label: string, value: string, attrs: Record<string, string | number> = {}) =>
    h(
      "div",
      { class: "field" },
      h("label", { for: `${id}-${name}` }, label),
      h("input", { id: `${id}-${name}`, name, type: "text", value, autocomplete: "off", "aria-describedby": `${id}-error`, ...attrs }),
    );
  const amount = input("amount", "Amount", paid ? amountText(paid.amount, paid.currency) : "", {
    inputmode: "decimal",
    placeholder: "9.99",
  });
  const currency = input("currency", "Currency", paid?.currency ?? "usd", { maxlength: 3, size: 4 });
  const unit = input("unit", "Unit (what one use is)", current.model === "metered" ? current.unit : "", { placeholder: "call" });
  const otherAmount = input(
    "otherAmount",
    "",
    current.model === "subscription" && current.otherIntervalAmount !== undefined
      ? amountText(current.otherIntervalAmount, current.currency)
      : "",
    { inputmode: "decimal", placeholder: "optional" },
  );
  const otherLabel = otherAmount.querySelector("label")!;
  const receives = h("p", { class: "hint", "data-testid": "author-receives", "aria-live": "polite" });

  const fieldset = h(
    "fieldset",
    { class: "field pricing-field", "aria-describedby": `${id}-error` },
    h("legend", {}, "Pricing"),
    h("div", { class: "field" }, h("label", { for: `${id}-model` }, "How it is sold"), model),
    h("div", { class: "pricing-amount" }, amount, currency, unit, otherAmount),
    receives,
    h("p", { id: `${id}-error`, class: "field-error", "data-error-for": "pricing", hidden: true }),
  );

  const update = () => {
    const choice = model.value as ModelChoice;
    amount.hidden = currency.hidden = choice === "free";
    unit.hidden = choice !== "metered";
    // A monthly subscription may also be sold yearly, and a yearly one monthly: buyers pick, and may switch later.
    otherAmount.hidden = choice !== "month" && choice !== "year";
    otherLabel.textContent = choice === "year" ? "Also monthly at (optional)" : "Also yearly at (optional)";
    const form = fieldset.closest("form");
    const parsed = form ? PricingInput.safeParse(readPricing(form)) : undefined;
    receives.textContent = receivesText(parsed?.success ? parsed.data : undefined, choice, fee);
  };
  fieldset.addEventListener("input", update);
  fieldset.addEventListener("change", update);
  // The fieldset reads its values through its form, which it joins after this returns.
  queueMicrotask(update);
  return fieldset;
}

function receivesText(pricing: PricingT | undefined, choice: ModelChoice, fee: PlatformFee | null): string {
  if (choice === "free") return "Free items have no platform fee.";
  if (!fee) return "";
  const percent = `${fee.bps / 100}%`;
  if (!pricing || pricing.model === "free") return `Plaza keeps ${percent} of each payment. Enter an amount to see what you receive.`;
  const money = (amount: number) => formatMoney(amount, pricing.currency);
  const net = money(authorReceives(fee, pricing) ?? 0);
  switch (pricing.model) {
    case "one_time":
      return `Plaza keeps ${percent} + ${money(fee.fixed)} of each sale: you receive ${net} per sale (before Stripe's processing fee).`;
    case "subscription":
      return `Plaza keeps ${percent} of each payment: you receive ${net} per ${pricing.interval} (before Stripe's processing fee).`;
    case "metered":
      return `Plaza keeps ${percent} of each invoice: you receive ${net} per ${pricing.unit} (before Stripe's processing fee).`;
  }
}
