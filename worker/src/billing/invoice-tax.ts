/**
 * Sales tax on subscription invoices (a subscription bought with `TAX_COLLECTION=automatic`): Stripe
 * Tax adds the tax of the buyer's country to every invoice, and Stripe takes
 * `application_fee_percent` of the invoice's whole total, tax included. Plaza's fee is on the price
 * before tax, so once an invoice is paid the tax's share of the fee goes back to the author's
 * connected account as an application fee refund (one per invoice, under a key derived from it).
 */
import type Stripe from "stripe";
import { percentFee } from "../ledger";
import type { SaleTax } from "../orders";

/** The invoice's tax (amount, rate, the buyer's country and tax id); undefined when it was not taxed automatically. */
export async function invoiceTax(stripe: Stripe, invoice: Stripe.Invoice): Promise<SaleTax | undefined> {
  if (!invoice.automatic_tax?.enabled) return undefined;
  const taxes = invoice.total_taxes ?? [];
  const rateId = taxes[0]?.tax_rate_details?.tax_rate;
  // The invoice names the rate by id only: its percentage is on the Tax Rate.
  const rate = rateId ? await stripe.taxRates.retrieve(rateId) : undefined;
  return {
    amount: taxes.reduce((sum, tax) => sum + tax.amount, 0),
    percentage: rate?.percentage ?? null,
    country: invoice.customer_address?.country ?? null,
    taxId: invoice.customer_tax_ids?.[0]?.value ?? null,
  };
}

/**
 * The fee Stripe keeps on a paid invoice: `percent` of what was paid or, when it carries tax, of what
 * was paid before tax, after refunding the tax's share of the application fee. A retry finds the
 * share refunded already (or Stripe replays the refund for the same key) and refunds nothing more.
 */
export async function feeKeptOnInvoice(
  stripe: Stripe,
  input: { invoiceId: string; amountPaid: number; percent: number; tax: number; paymentIntentId: string | null },
): Promise<number> {
  const onTotal = percentFee(input.amountPaid, input.percent);
  if (input.tax <= 0 || !input.paymentIntentId) return onTotal;
  const intent = await stripe.paymentIntents.retrieve(input.paymentIntentId, { expand: ["latest_charge"] });
  const feeRef = (intent.latest_charge as Stripe.Charge | null)?.application_fee;
  if (!feeRef) return 0;
  const fee = await stripe.applicationFees.retrieve(typeof feeRef === "string" ? feeRef : feeRef.id);
  const taxShare = Math.max(0, fee.amount - percentFee(input.amountPaid - input.tax, input.percent));
  if (fee.amount_refunded < taxShare) {
    await stripe.applicationFees.createRefund(
      fee.id,
      { amount: taxShare - fee.amount_refunded, metadata: { plaza_reason: "tax_share", plaza_invoice_id: input.invoiceId } },
      { idempotencyKey: `fee-tax-share:${input.invoiceId}` },
    );
  }
  return fee.amount - taxShare;
}
