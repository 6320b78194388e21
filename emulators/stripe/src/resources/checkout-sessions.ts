import { Hono } from "hono";
import { z } from "zod";
import { requireChargeableDestination } from "../connect";
import type { AppEnv } from "../context";
import { invalidRequest } from "../errors";
import { newId } from "../ids";
import { decimalString, intString, metadata, parseParams } from "../params";
import type { ObjectStore, StripeObject } from "../store";
import { type CheckoutDiscount, checkoutDiscount } from "./checkout-discounts";
import { expireCheckoutSession, expireDueSessions } from "./checkout-expiry";
import { listSchema, paramsSchema, respond, respondList } from "./common";
import type { Price } from "./prices";
import { automaticTaxFields, automaticTaxParams } from "./tax";

const createParams = paramsSchema({
  mode: z.enum(["payment", "subscription"]),
  line_items: z.array(z.object({ price: z.string(), quantity: intString.optional() }).strict()).min(1),
  customer: z.string().optional(),
  customer_email: z.string().optional(),
  client_reference_id: z.string().optional(),
  success_url: z.string().url(),
  cancel_url: z.string().url().optional(),
  metadata,
  payment_method_types: z.array(z.string()).optional(),
  ...automaticTaxParams,
  discounts: z
    .array(z.object({ coupon: z.string().optional(), promotion_code: z.string().optional() }).strict())
    .max(1)
    .optional(),
  payment_intent_data: z
    .object({
      application_fee_amount: intString.optional(),
      transfer_data: z.object({ destination: z.string() }).strict().optional(),
      description: z.string().optional(),
      metadata,
    })
    .strict()
    .optional(),
  subscription_data: z
    .object({
      application_fee_percent: decimalString.optional(),
      transfer_data: z.object({ destination: z.string(), amount_percent: decimalString.optional() }).strict().optional(),
      invoice_settings: z
        .object({
          issuer: z
            .object({ type: z.enum(["account", "self"]), account: z.string().optional() })
            .strict()
            .optional(),
        })
        .strict()
        .optional(),
      description: z.string().optional(),
      metadata,
    })
    .strict()
    .optional(),
});
const listParams = listSchema({
  customer: z.string().optional(),
  payment_intent: z.string().optional(),
  status: z.enum(["open", "complete", "expired"]).optional(),
});

export type CheckoutCreateParams = z.output<typeof createParams>;

export type CheckoutSession = StripeObject & {
  mode: "payment" | "subscription";
  status: "open" | "complete" | "expired";
  amount_total: number;
  currency: string;
  customer: string | null;
  customer_email: string | null;
  success_url: string;
  cancel_url: string | null;
  expires_at: number;
  url: string | null;
  metadata: Record<string, string>;
};

/** What the session keeps until it is paid: the priced line items and the payment terms. */
export interface CheckoutInternal {
  lineItems: { price: string; quantity: number; amount: number }[];
  paymentIntentData?: z.output<typeof createParams>["payment_intent_data"];
  /** The discount applied (redeemed when the session is paid). */
  discount?: CheckoutDiscount;
  subscriptionData?: z.output<typeof createParams>["subscription_data"];
}

/** The URL the emulator's hosted page lives at, on whatever host the API was reached through. */
export const hostedPageUrl = (origin: string, id: string) => `${origin}/checkout/${id}`;

/** Stripe fills `{CHECKOUT_SESSION_ID}` in the success/cancel URL when redirecting. */
export const redirectUrl = (template: string, sessionId: string) => template.replaceAll("{CHECKOUT_SESSION_ID}", sessionId);

function priceLineItems(store: ObjectStore, params: z.output<typeof createParams>) {
  const lineItems = params.line_items.map((item, index) => {
    const price = store.get<Price>("price", item.price, `line_items[${index}][price]`);
    if (!price.active) throw invalidRequest(`The price specified is inactive.`, `line_items[${index}][price]`);
    if (price.type === "recurring" && params.mode === "payment") {
      throw invalidRequest(
        "You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.",
        `line_items[${index}][price]`,
      );
    }
    const metered = price.recurring?.usage_type === "metered";
    if (metered && item.quantity !== undefined) {
      throw invalidRequest("Quantity should not be specified where usage_type is `metered`.", `line_items[${index}][quantity]`);
    }
    const quantity = metered ? 1 : (item.quantity ?? 1);
    if (quantity < 1) throw invalidRequest("Quantity must be at least 1.", `line_items[${index}][quantity]`);
    // Metered usage is billed later from meter events, so it adds nothing up front.
    return { price, quantity, amount: metered ? 0 : Math.round(Number(price.unit_amount_decimal ?? price.unit_amount ?? 0) * quantity) };
  });
  const currencies = new Set(lineItems.map((item) => item.price.currency));
  if (currencies.size > 1) throw invalidRequest("All prices must be in the same currency.", "line_items");
  if (params.mode === "subscription" && !lineItems.some((item) => item.price.type === "recurring")) {
    throw invalidRequest("You must provide at least one recurring price in `subscription` mode when using prices.", "line_items");
  }
  const intervals = new Set(
    lineItems.flatMap((item) => (item.price.recurring ? [`${item.price.recurring.interval}/${item.price.recurring.interval_count}`] : [])),
  );
  if (intervals.size > 1) {
    throw invalidRequest(
      "All prices on a subscription must have the same `recurring.interval` and `recurring.interval_count`.",
      "line_items",
    );
  }
  return lineItems;
}

/**
 * Fees and destinations as Stripe checks them: a fee needs a destination (or a `Stripe-Account` direct
 * charge), and the destination must be a connected account that can take charges.
 */
export function validatePaymentTerms(store: ObjectStore, params: z.output<typeof createParams>, amountTotal: number) {
  if (params.customer && params.customer_email) {
    throw invalidRequest("You may only specify one of these parameters: customer, customer_email.", "customer_email");
  }
  if (params.payment_intent_data && params.mode !== "payment") {
    throw invalidRequest("You can not pass `payment_intent_data` in `subscription` mode.", "payment_intent_data");
  }
  if (params.subscription_data && params.mode !== "subscription") {
    throw invalidRequest("You can not pass `subscription_data` in `payment` mode.", "subscription_data");
  }
  const onBehalf = (param: string, what: string) =>
    invalidRequest(
      `Can only apply an ${what} when the request is made on behalf of another account (using an OAuth key or ` +
        "Stripe-Account header) or when it is a destination payment (using `transfer_data[destination]`).",
      param,
    );
  const payment = params.payment_intent_data;
  const fee = payment?.application_fee_amount;
  if (fee !== undefined && (fee < 0 || fee > amountTotal)) {
    throw invalidRequest(
      "The application fee amount must be between 0 and the total amount of the payment.",
      "payment_intent_data[application_fee_amount]",
    );
  }
  if (fee !== undefined && !payment?.transfer_data?.destination && !store.account) {
    throw onBehalf("payment_intent_data[application_fee_amount]", "application_fee_amount");
  }
  if (payment?.transfer_data) {
    requireChargeableDestination(store, payment.transfer_data.destination, "payment_intent_data[transfer_data][destination]");
  }
  const subscription = params.subscription_data;
  const percent = subscription?.application_fee_percent;
  if (percent !== undefined && percent > 100) {
    throw invalidRequest("application_fee_percent must be between 0 and 100.", "subscription_data[application_fee_percent]");
  }
  if (percent !== undefined && !subscription?.transfer_data?.destination && !store.account) {
    throw onBehalf("subscription_data[application_fee_percent]", "application_fee_percent");
  }
  if (subscription?.transfer_data) {
    requireChargeableDestination(store, subscription.transfer_data.destination, "subscription_data[transfer_data][destination]");
  }
}

/** A session's lifetime when `expires_at` is not given: 24 hours, as in Stripe. */
export const SESSION_LIFETIME_SECONDS = 24 * 60 * 60;

export const checkoutSessions = new Hono<AppEnv>()
  // Stripe expires sessions on its own; here they expire when first looked at after `expires_at`.
  .use("*", async (c, next) => {
    expireDueSessions(c.var.store.forAccount(null));
    await next();
  })
  .post("/", (c) => {
    const params = parseParams(createParams, c.var.params);
    const store = c.var.store;
    if (params.customer) store.get("customer", params.customer, "customer");
    const lineItems = priceLineItems(store, params);
    const amountSubtotal = lineItems.reduce((sum, item) => sum + item.amount, 0);
    const discount = checkoutDiscount(store, params.discounts, lineItems);
    const amountTotal = amountSubtotal - (discount?.amount ?? 0);
    validatePaymentTerms(store, params, amountTotal);
    const id = newId("checkout.session");
    const created = store.now();
    const session: CheckoutSession = {
      id,
      object: "checkout.session",
      amount_subtotal: amountSubtotal,
      amount_total: amountTotal,
      cancel_url: params.cancel_url ?? null,
      client_reference_id: params.client_reference_id ?? null,
      created,
      currency: lineItems[0]!.price.currency,
      customer: params.customer ?? null,
      customer_details: null,
      customer_email: params.customer_email ?? null,
      discounts: discount ? [{ coupon: discount.coupon, promotion_code: discount.promotion_code }] : [],
      invoice: null,
      expires_at: created + SESSION_LIFETIME_SECONDS,
      livemode: false,
      metadata: params.metadata ?? {},
      mode: params.mode,
      payment_intent: null,
      payment_method_types: params.payment_method_types ?? ["card"],
      payment_status: "unpaid",
      status: "open",
      subscription: null,
      success_url: params.success_url,
      total_details: { amount_discount: discount?.amount ?? 0, amount_shipping: 0, amount_tax: 0 },
      ui_mode: "hosted",
      url: hostedPageUrl(new URL(c.req.url).origin, id),
    };
    // Automatic tax and the billing details it collects (resources/tax.ts).
    Object.assign(session, automaticTaxFields(store, params, session));
    const internal: CheckoutInternal = {
      lineItems: lineItems.map((item) => ({ price: item.price.id, quantity: item.quantity, amount: item.amount })),
      paymentIntentData: params.payment_intent_data,
      ...(discount ? { discount } : {}),
      subscriptionData: params.subscription_data,
    };
    store.insert("checkout.session", session, internal);
    return respond(c, session);
  })
  .get("/", (c) => {
    const params = parseParams(listParams, c.var.params);
    const matches = c.var.store
      .all<CheckoutSession>("checkout.session")
      .filter(
        (s) =>
          (!params.customer || s.customer === params.customer) &&
          (!params.payment_intent || s.payment_intent === params.payment_intent) &&
          (!params.status || s.status === params.status),
      );
    return respondList(c, matches, params);
  })
  .get("/:id", (c) => respond(c, c.var.store.get("checkout.session", c.req.param("id"))))
  .post("/:id/expire", (c) => respond(c, expireCheckoutSession(c.var.store, c.var.store.get("checkout.session", c.req.param("id")))));
