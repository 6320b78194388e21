import { html } from "hono/html";
import { z } from "zod";
import { invalidRequest } from "../errors";
import { boolString } from "../params";
import type { ObjectStore } from "../store";
import type { CheckoutSession } from "./checkout-sessions";
import type { Customer, CustomerInternal } from "./customers";

/**
 * Stripe Tax, offline: a rate per country (percent, exclusive: added on top of the price). These
 * defaults are standard rates; `/_emulator/tax/rates` changes or adds rates. A country without a
 * rate is one the seller does not collect in (tax 0, `not_collecting`).
 */
export const DEFAULT_TAX_RATES: Readonly<Record<string, number>> = {
  AT: 20,
  BE: 21,
  DE: 19,
  ES: 21,
  FR: 20,
  GB: 20,
  IE: 23,
  IT: 22,
  NL: 21,
  SE: 25,
  US: 0,
};

const EU = new Set([
  "AT",
  "BE",
  "BG",
  "CY",
  "CZ",
  "DE",
  "DK",
  "EE",
  "ES",
  "FI",
  "FR",
  "GR",
  "HR",
  "HU",
  "IE",
  "IT",
  "LT",
  "LU",
  "LV",
  "MT",
  "NL",
  "PL",
  "PT",
  "RO",
  "SE",
  "SI",
  "SK",
]);

export const Country = z.string().regex(/^[A-Z]{2}$/, "Use a two-letter ISO country code");

/** The Checkout Session params of automatic tax and the buyer details it needs. */
export const automaticTaxParams = {
  automatic_tax: z
    .object({
      enabled: boolString,
      liability: z
        .object({ type: z.enum(["account", "self"]), account: z.string().optional() })
        .strict()
        .optional(),
    })
    .strict()
    .optional(),
  billing_address_collection: z.enum(["auto", "required"]).optional(),
  tax_id_collection: z
    .object({ enabled: boolString, required: z.enum(["if_supported", "never"]).optional() })
    .strict()
    .optional(),
  customer_update: z
    .object({
      address: z.enum(["auto", "never"]).optional(),
      name: z.enum(["auto", "never"]).optional(),
      shipping: z.enum(["auto", "never"]).optional(),
    })
    .strict()
    .optional(),
};

type TaxParams = { [K in keyof typeof automaticTaxParams]?: z.output<(typeof automaticTaxParams)[K]> } & { customer?: string };

const ensureTable = (store: ObjectStore) =>
  store.sql.exec("CREATE TABLE IF NOT EXISTS tax_rates (country TEXT PRIMARY KEY, percentage REAL NOT NULL)");

/** Every rate in force: the defaults with the admin route's changes, by country. */
export function taxRates(store: ObjectStore): Record<string, number> {
  ensureTable(store);
  const rows = store.sql.exec<{ country: string; percentage: number }>("SELECT country, percentage FROM tax_rates").toArray();
  return { ...DEFAULT_TAX_RATES, ...Object.fromEntries(rows.map((r) => [r.country, r.percentage])) };
}

export function setTaxRates(store: ObjectStore, rates: Record<string, number>) {
  ensureTable(store);
  for (const [country, percentage] of Object.entries(rates)) {
    store.sql.exec(
      "INSERT INTO tax_rates (country, percentage) VALUES (?, ?) ON CONFLICT (country) DO UPDATE SET percentage = excluded.percentage",
      country,
      percentage,
    );
  }
  return taxRates(store);
}

const TAX_RATE_PREFIX = "txr_emulator_";

/** The tax in `amount` at the country's rate (0 where no rate is set), rounded half up like Stripe. */
function taxOn(store: ObjectStore, country: string, amount: number) {
  const percentage = taxRates(store)[country];
  return { percentage, amount: percentage === undefined ? 0 : Math.round((amount * percentage) / 100) };
}

const taxabilityReason = (percentage: number | undefined) =>
  percentage === undefined ? "not_collecting" : percentage === 0 ? "zero_rated" : "standard_rated";

/** The Tax Rate object Stripe Tax reports a country's tax with (`GET /v1/tax_rates/{id}` answers it). */
export function taxRateObject(store: ObjectStore, country: string) {
  const percentage = taxRates(store)[country] ?? 0;
  const vat = EU.has(country) || country === "GB";
  return {
    id: `${TAX_RATE_PREFIX}${country}`,
    object: "tax_rate",
    active: true,
    country,
    created: store.now(),
    description: null,
    display_name: vat ? "VAT" : "Sales tax",
    effective_percentage: percentage,
    inclusive: false,
    jurisdiction: country,
    livemode: false,
    metadata: {},
    percentage,
    state: null,
    tax_type: vat ? "vat" : "sales_tax",
  };
}

/** The country a tax rate id names, for `GET /v1/tax_rates/{id}`; undefined for an id the emulator never made. */
export const countryOfTaxRate = (id: string) => {
  const country = id.startsWith(TAX_RATE_PREFIX) ? id.slice(TAX_RATE_PREFIX.length) : "";
  return Country.safeParse(country).success ? country : undefined;
};

/**
 * Automatic tax on a subscription's invoice: the customer's country rate on the amount after
 * discounts (`total_taxes`), with the address and tax ids Checkout saved on the customer. Nothing
 * for a subscription without automatic tax; `requires_location_inputs` for a customer without an address.
 */
export function invoiceTax(
  store: ObjectStore,
  automaticTax: { enabled: boolean; liability: unknown } | undefined,
  customer: Customer,
  taxable: number,
) {
  if (!automaticTax?.enabled) return undefined;
  const address = (customer.address as { country?: string | null } | null | undefined) ?? null;
  const automatic = { disabled_reason: null, enabled: true, liability: automaticTax.liability, provider: "stripe" };
  const taxIds = (store.internal<CustomerInternal>(customer.id)?.taxIds ?? []).map((t) => ({ ...t }));
  if (!address?.country) return { amount: 0, automatic_tax: { ...automatic, status: "requires_location_inputs" }, total_taxes: [] };
  const { percentage, amount } = taxOn(store, address.country, taxable);
  return {
    amount,
    automatic_tax: { ...automatic, status: "complete" },
    customer_address: address,
    customer_tax_ids: taxIds,
    total_taxes: [
      {
        amount,
        tax_behavior: "exclusive",
        tax_rate_details: { tax_rate: `${TAX_RATE_PREFIX}${address.country}` },
        taxability_reason: taxabilityReason(percentage),
        taxable_amount: taxable,
        type: "tax_rate_details",
      },
    ],
  };
}

/**
 * The session's tax fields at creation, checked as Stripe checks them: with an existing customer,
 * the address and (for tax ids) the name Checkout collects must be allowed onto the customer.
 */
export function automaticTaxFields(store: ObjectStore, params: TaxParams, session: CheckoutSession) {
  const enabled = params.automatic_tax?.enabled ?? false;
  const customer = params.customer ? store.find<Customer>("customer", params.customer) : undefined;
  if (params.customer_update && !params.customer) {
    throw invalidRequest("`customer_update` can only be used with `customer`.", "customer_update");
  }
  const savesAddress = params.customer_update?.address === "auto" || params.customer_update?.shipping === "auto";
  if (enabled && customer && !customer.address && !savesAddress) {
    throw invalidRequest(
      "Automatic tax calculation in Checkout requires a valid address on the Customer. Add a valid address to the Customer or set either `customer_update[address]` to 'auto' or `customer_update[shipping]` to 'auto' to save the address entered in Checkout to the Customer.",
      "automatic_tax[enabled]",
    );
  }
  if (params.tax_id_collection?.enabled && customer && params.customer_update?.name !== "auto") {
    throw invalidRequest(
      "Using `tax_id_collection` with an existing customer requires `customer_update[name]` to be 'auto'.",
      "tax_id_collection[enabled]",
    );
  }
  const liability = params.automatic_tax?.liability;
  if (liability?.type === "account" && !liability.account) {
    throw invalidRequest("Missing required param: automatic_tax[liability][account].", "automatic_tax[liability][account]");
  }
  const totals = (session.total_details ?? { amount_discount: 0, amount_shipping: 0, amount_tax: 0 }) as Record<string, unknown>;
  return {
    automatic_tax: {
      enabled,
      liability: enabled ? (liability ?? { type: "self" }) : null,
      provider: enabled ? "stripe" : null,
      status: enabled ? "requires_location_inputs" : null,
    },
    billing_address_collection: params.billing_address_collection ?? null,
    tax_id_collection: { enabled: params.tax_id_collection?.enabled ?? false, required: params.tax_id_collection?.required ?? "never" },
    // Stripe answers `breakdown` only when expanded; here it is always there, so the expansion works.
    total_details: { ...totals, breakdown: { discounts: [], taxes: [] } },
  };
}

/** Whether the hosted page must ask for the billing country before it takes a payment. */
export const needsBillingAddress = (session: CheckoutSession) =>
  session.billing_address_collection === "required" || (session.automatic_tax as { enabled?: boolean } | undefined)?.enabled === true;

/** The hosted page's billing fields: the country (with its rate when tax is calculated) and an optional tax id. */
export function billingFields(store: ObjectStore, session: CheckoutSession) {
  if (!needsBillingAddress(session)) return "";
  const rates = taxRates(store);
  const taxed = (session.automatic_tax as { enabled?: boolean }).enabled;
  const countries = [...new Set([...Object.keys(rates), ...EU])].sort();
  return html`<p><label>Billing country
      <select name="country" required>
        <option value="">Choose…</option>
        ${countries.map((country) => html`<option value="${country}">${country}${taxed && rates[country] !== undefined ? ` (tax ${rates[country]} %)` : ""}</option>`)}
      </select></label></p>
    ${
      (session.tax_id_collection as { enabled?: boolean } | undefined)?.enabled
        ? html`<p><label>Tax ID (optional) <input name="tax_id" autocomplete="off" /></label></p>`
        : ""
    }`;
}

const taxIdType = (country: string) => (EU.has(country) ? "eu_vat" : country === "GB" ? "gb_vat" : "unknown");

/**
 * The buyer's billing details from the hosted page, then Stripe Tax's calculation on the amount due
 * (after discounts): `total_details.amount_tax` and its breakdown, `amount_total` with the tax,
 * `customer_details.address`/`tax_ids`, `automatic_tax.status`. The customer keeps the address, as
 * `customer_update[address]=auto` asks. Throws a message for the page when the country is missing.
 */
export function applyBillingDetails(
  store: ObjectStore,
  session: CheckoutSession,
  form: { country?: string; taxId?: string },
): CheckoutSession {
  if (!needsBillingAddress(session)) return session;
  const parsed = Country.safeParse(form.country?.trim().toUpperCase());
  if (!parsed.success) throw invalidRequest("Choose your billing country.", "country");
  const country = parsed.data;
  const taxId = form.taxId?.trim() || null;
  const address = { city: null, country, line1: null, line2: null, postal_code: null, state: null };
  const details = (session.customer_details ?? {}) as Record<string, unknown>;
  const located: CheckoutSession = {
    ...session,
    customer_details: {
      email: null,
      name: null,
      phone: null,
      tax_exempt: "none",
      ...details,
      address,
      tax_ids: taxId ? [{ type: taxIdType(country), value: taxId }] : [],
    },
  };
  const automaticTax = session.automatic_tax as { enabled: boolean } | undefined;
  if (automaticTax?.enabled) {
    const base = session.amount_total;
    const { percentage, amount } = taxOn(store, country, base);
    const totals = session.total_details as { breakdown?: Record<string, unknown> } & Record<string, unknown>;
    const rate = taxRateObject(store, country);
    located.amount_total = base + amount;
    located.total_details = {
      ...totals,
      amount_tax: amount,
      breakdown: {
        discounts: totals.breakdown?.discounts ?? [],
        taxes: [
          {
            amount,
            rate,
            taxability_reason: taxabilityReason(percentage),
            taxable_amount: base,
          },
        ],
      },
    };
    located.automatic_tax = { ...automaticTax, status: "complete" };
  }
  if (session.customer) {
    const customer = store.find<Customer>("customer", session.customer);
    if (customer) store.update({ ...customer, address });
    // Saved on the customer, as `customer_update[name]=auto` allows: its invoices list them (`customer_tax_ids`).
    if (customer && taxId) {
      store.setInternal(customer.id, {
        ...store.internal<CustomerInternal>(customer.id),
        taxIds: [{ type: taxIdType(country), value: taxId }],
      } satisfies CustomerInternal);
    }
  }
  return store.update(located);
}

/** What the hosted page collected onto `customer_details` (nothing when it asked for nothing). */
export function billingDetailsOf(session: CheckoutSession): { address?: unknown; tax_ids?: unknown } {
  const details = session.customer_details as { address?: unknown; tax_ids?: unknown } | null;
  return details?.address ? { address: details.address, tax_ids: details.tax_ids ?? [] } : {};
}
