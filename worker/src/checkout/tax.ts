/**
 * Sales tax and VAT through Stripe Tax, when the operator turns it on (`TAX_COLLECTION=automatic`).
 * The author is the seller: Stripe calculates with the author's tax registrations (`liability` is
 * their connected account), adds the tax on top of the price, and the destination charge carries
 * it to the author's balance to remit. Plaza's fee is taken on the pre-tax amount only.
 */
import type Stripe from "stripe";
import type { Env } from "../env";
import type { SaleTax } from "../orders";

export const taxCollectionOn = (env: Pick<Env, "TAX_COLLECTION">) => env.TAX_COLLECTION === "automatic";

/**
 * What a Checkout Session (one-time or subscription) adds for automatic tax: the billing address and
 * an optional tax id are collected and, as Stripe requires with an existing customer, saved onto it,
 * so the subscription's renewals are taxed from the same address.
 */
export function checkoutTaxParams(env: Env, destination: string): Partial<Stripe.Checkout.SessionCreateParams> {
  if (!taxCollectionOn(env)) return {};
  return {
    automatic_tax: { enabled: true, liability: { type: "account", account: destination } },
    billing_address_collection: "required",
    tax_id_collection: { enabled: true },
    customer_update: { address: "auto", name: "auto" },
  };
}

/** A taxed subscription's invoices are issued by the author, the seller liable for the tax (as EU rules want). */
export function subscriptionTaxSettings(
  env: Env,
  destination: string,
): Pick<Stripe.Checkout.SessionCreateParams.SubscriptionData, "invoice_settings"> {
  if (!taxCollectionOn(env)) return {};
  return { invoice_settings: { issuer: { type: "account", account: destination } } };
}

/** Read `total_details.breakdown` for the rate: Stripe includes it only when expanded. */
export const TAX_EXPAND = "total_details.breakdown";

/** The tax of a paid session (whether or not tax collection is on now): amount, rate and the buyer's location. */
export function sessionTax(session: Stripe.Checkout.Session): SaleTax {
  const amount = session.total_details?.amount_tax ?? 0;
  const rate = session.total_details?.breakdown?.taxes[0]?.rate;
  return {
    amount,
    percentage: rate?.percentage ?? null,
    country: session.customer_details?.address?.country ?? null,
    taxId: session.customer_details?.tax_ids?.[0]?.value ?? null,
  };
}
