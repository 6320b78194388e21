/** Stripe-style ids: a prefix naming the object type, then random base62. */
export const ID_PREFIXES = {
  customer: "cus",
  product: "prod",
  price: "price",
  "checkout.session": "cs_test",
  payment_intent: "pi",
  charge: "ch",
  refund: "re",
  subscription: "sub",
  subscription_item: "si",
  event: "evt",
  account: "acct",
  account_link: "acctlink",
  webhook_endpoint: "we",
  invoice: "in",
  invoice_line_item: "il",
  invoice_payment: "inpay",
  "billing.meter": "mtr",
  "billing.meter_event_summary": "mtrusg",
  "test_helpers.test_clock": "clock",
  transfer_reversal: "trr",
  fee_refund: "fr",
  application_fee: "fee",
  payout: "po",
  "billing_portal.session": "bps",
  "billing_portal.configuration": "bpc",
  payment_method: "pm",
  dispute: "du",
  balance_transaction: "txn",
  // Coupons have no prefix in Stripe (random or chosen ids); this one is never generated.
  coupon: "coupon",
  promotion_code: "promo",
  discount: "di",
} as const;

export type ObjectType = keyof typeof ID_PREFIXES;

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export function randomToken(length = 24): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join("");
}

export function newId(type: ObjectType): string {
  return `${ID_PREFIXES[type]}_${randomToken()}`;
}

/** The object type an id names, from its prefix (longest prefix first: `cs_test_` before others). */
export function typeOfId(id: string): ObjectType | undefined {
  const entries = Object.entries(ID_PREFIXES).sort((a, b) => b[1].length - a[1].length);
  return entries.find(([, prefix]) => id.startsWith(`${prefix}_`))?.[0] as ObjectType | undefined;
}
