/** Payments request and response bodies: checkout, Connect, orders, refunds, subscriptions, usage, earnings. */
import { z } from "zod";
import { Email } from "./api";
import { PLAN_INTERVALS } from "./catalog";
import { prefixedId } from "./ids";

const id = prefixedId;
/** Stripe's largest amount: 8 digits of minor units. */
export const MAX_AMOUNT = 99_999_999;
export const OrderId = id("ord");
export const CheckoutId = id("chk");
export const SubscriptionId = id("psub");

/** A coupon code the buyer entered (matched in any case); checked against the item before Stripe sees it. */
export const PromotionCodeInput = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .regex(/^[A-Za-z0-9_-]+$/, "letters, digits, - and _ only");
/** Signed-in buyers need no body; a guest names the e-mail the purchase is delivered to. */
export const CheckoutBody = z
  .object({
    email: Email.optional(),
    promotionCode: PromotionCodeInput.optional(),
    /** For a subscription item that offers monthly and yearly plans: which one (default: the item's primary interval). */
    interval: z.enum(PLAN_INTERVALS).optional(),
  })
  .meta({ id: "CheckoutBody" });
export const CheckoutSession = z
  .object({
    checkoutId: CheckoutId,
    url: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    mode: z.enum(["payment", "subscription"]),
  })
  .meta({ id: "CheckoutSession" });

/** A checkout's lifecycle: open until paid (`complete`), or closed unpaid (`expired`, `failed`). */
export const CHECKOUT_STATUSES = ["open", "complete", "expired", "failed"] as const;
export const CheckoutStatus = z
  .object({
    checkoutId: CheckoutId,
    /** `expired`: Stripe closed the session unpaid; `failed`: an asynchronous payment (a bank debit) failed. */
    status: z.enum(CHECKOUT_STATUSES),
    itemSlug: z.string(),
    itemName: z.string(),
    /** What the buyer pays before tax; once the order exists, what was charged (tax included). */
    amount: z.number().int(),
    currency: z.string(),
    /** The order, once the payment is fulfilled (the webhook may arrive after the buyer). */
    orderId: OrderId.nullable(),
    /**
     * The purchase's license key in full, exactly once: in the first answer after fulfillment
     * issued it (up to 24 hours later); null before, and on every read after that one.
     */
    licenseKey: z.string().nullable(),
  })
  .meta({ id: "CheckoutStatus" });

export const ConnectStatus = z
  .object({
    connected: z.boolean(),
    chargesEnabled: z.boolean(),
    payoutsEnabled: z.boolean(),
    detailsSubmitted: z.boolean(),
    /** The newest payout that failed and was not followed by a paid one: Stripe's failure code and message. */
    payoutProblem: z.object({ payoutId: z.string(), code: z.string().nullable(), message: z.string() }).nullable(),
    /** The author disconnected Plaza in Stripe: paid items are off sale until onboarding connects an account again. */
    disconnected: z.boolean(),
  })
  .meta({ id: "ConnectStatus" });
export const ConnectLink = z.object({ url: z.string(), expiresAt: z.number().int().nullable() }).meta({ id: "ConnectLink" });

export const ORDER_STATUSES = ["paid", "refunded", "partially_refunded"] as const;
/**
 * `pending` until Stripe confirms the refund (`charge.refunded`) and the order's `amountRefunded`
 * includes it, then `succeeded`; `failed` when Stripe refused it or reports it failed (with Stripe's
 * `failureReason`), `canceled` when Stripe canceled it.
 */
export const REFUND_STATUSES = ["pending", "succeeded", "failed", "canceled"] as const;
/** A refund Plaza asked Stripe for, as the order shows it. */
export const OrderRefund = z
  .object({
    id: z.string(),
    amount: z.number().int(),
    status: z.enum(REFUND_STATUSES),
    failureReason: z.string().nullable(),
    createdAt: z.number().int(),
  })
  .meta({ id: "OrderRefund" });
/** Sales tax/VAT Stripe Tax added to an order (included in its `amount`): rate in percent, the buyer's billing country and tax id. */
export const OrderTax = z
  .object({
    amount: z.number().int(),
    percentage: z.number().nullable(),
    country: z.string().nullable(),
    taxId: z.string().nullable(),
  })
  .meta({ id: "OrderTax" });
export const Order = z
  .object({
    id: OrderId,
    kind: z.enum(["purchase", "subscription"]),
    orgId: z.string(),
    status: z.enum(ORDER_STATUSES),
    email: z.string(),
    amount: z.number().int(),
    feeAmount: z.number().int(),
    amountRefunded: z.number().int(),
    /** What a coupon took off the list price (`amount` is after it), and its code; 0 and null without one. */
    discountAmount: z.number().int(),
    couponCode: z.string().nullable(),
    currency: z.string(),
    items: z.array(
      z.object({ itemId: z.string(), itemSlug: z.string(), itemName: z.string(), amount: z.number().int(), quantity: z.number().int() }),
    ),
    /** Refunds asked for through Plaza, oldest first. */
    refunds: z.array(OrderRefund),
    /** The tax in `amount`; null when none was charged. */
    tax: OrderTax.nullable(),
    createdAt: z.number().int(),
  })
  .meta({ id: "Order" });
export type OrderT = z.infer<typeof Order>;

/** A refund of the whole order, or of `amount` minor units of it. */
export const RefundBody = z
  .object({ amount: z.number().int().min(1).max(MAX_AMOUNT).optional(), reason: z.string().trim().min(1).max(500) })
  .meta({ id: "RefundBody" });
export const RefundId = id("rfd");
export const RefundResult = z
  .object({
    /** Plaza's refund: the same for every retry with one `Idempotency-Key`. */
    id: RefundId,
    orderId: OrderId,
    /** Stripe's refund (`re_…`). */
    refundId: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    status: z.enum(REFUND_STATUSES),
  })
  .meta({ id: "RefundResult" });
export type RefundResultT = z.infer<typeof RefundResult>;

export const SubscriptionPlan = z
  .object({ interval: z.enum(PLAN_INTERVALS), amount: z.number().int(), currency: z.string() })
  .meta({ id: "SubscriptionPlan" });
export type SubscriptionPlanT = z.infer<typeof SubscriptionPlan>;

export const Subscription = z
  .object({
    id: SubscriptionId,
    itemId: z.string(),
    itemSlug: z.string(),
    itemName: z.string(),
    status: z.string(),
    currentPeriodEnd: z.number().int(),
    cancelAtPeriodEnd: z.boolean(),
    graceUntil: z.number().int().nullable(),
    /** The plan Stripe bills now; null until Stripe's next event about a subscription mirrored before plans were kept. */
    plan: SubscriptionPlan.nullable(),
    /** The item's other plan (monthly for a yearly one, or yearly), to switch to; null when it offers none. */
    switchTo: SubscriptionPlan.nullable(),
  })
  .meta({ id: "Subscription" });
export type SubscriptionT = z.infer<typeof Subscription>;

/** Switch a subscription to the item's plan with this interval; Stripe prorates the change (see README "Plan changes"). */
export const PlanChangeBody = z
  .object({ interval: z.enum(PLAN_INTERVALS) })
  .strict()
  .meta({ id: "PlanChangeBody" });
export const PlanChangePreview = z
  .object({
    plan: SubscriptionPlan,
    /** Charged at once: the new plan less the unused time of the current one (and any credit the buyer has). */
    dueNow: z.number().int(),
    /** Credit left on the buyer's Stripe balance afterwards, paying their next renewals. */
    creditLeft: z.number().int(),
    currency: z.string(),
  })
  .meta({ id: "PlanChangePreview" });
export type PlanChangePreviewT = z.infer<typeof PlanChangePreview>;

/** Which subscription the buyer means to manage; without one, their newest that still runs. */
export const BillingPortalBody = z.object({ subscriptionId: SubscriptionId.optional() }).strict().meta({ id: "BillingPortalBody" });
/** A short-lived link to Stripe's customer portal: open it at once, it expires within minutes. */
export const BillingPortalSession = z.object({ url: z.string().url() }).meta({ id: "BillingPortalSession" });

export const UsageBody = z
  .object({
    quantity: z.number().int().min(1).max(1_000_000_000),
    /** The client's idempotency key: the same key never counts twice. */
    key: z.string().trim().min(1).max(100),
  })
  .meta({ id: "UsageBody" });
export const UsageRecord = z
  .object({
    id: z.string(),
    quantity: z.number().int(),
    creditsUsed: z.number().int(),
    recordedAt: z.number().int(),
    duplicate: z.boolean(),
  })
  .meta({ id: "UsageRecord" });

export const CreditGrantBody = z
  .object({
    userId: z.string().regex(/^usr_/, "must be a usr_ id"),
    amount: z.number().int().min(1).max(1_000_000_000),
    reason: z.string().trim().min(1).max(500),
    /** Idempotency: a grant with the same reference is made once. */
    reference: z.string().trim().min(1).max(100),
  })
  .meta({ id: "CreditGrantBody" });
export const CreditBalance = z.object({ itemId: z.string(), userId: z.string(), balance: z.number().int() }).meta({ id: "CreditBalance" });
/** A buyer of an org's item found by e-mail, with their prepaid balance, so the author can grant them credits. */
export const CreditHolder = CreditBalance.extend({ email: z.string() }).meta({ id: "CreditHolder" });
export type CreditHolderT = z.infer<typeof CreditHolder>;
export const CreditHolderQuery = z.object({
  email: Email.meta({ description: "The buyer's e-mail address" }),
});

/** A metered subscription's usage in its current billing period, and the prepaid credits left. */
export const MeteredUsage = z
  .object({
    subscriptionId: z.string(),
    itemId: z.string(),
    itemSlug: z.string(),
    itemName: z.string(),
    /** What is counted, as the item's pricing names it (`call`). */
    unit: z.string(),
    periodStart: z.number().int(),
    periodEnd: z.number().int(),
    /** Everything recorded this period; `creditsUsed` of it was paid from credits, the rest is billed. */
    quantity: z.number().int(),
    creditsUsed: z.number().int(),
    creditBalance: z.number().int(),
  })
  .meta({ id: "MeteredUsage" });
export type MeteredUsageT = z.infer<typeof MeteredUsage>;

export const LEDGER_TYPES = ["sale", "tax", "platform_fee", "refund", "fee_refund", "payout", "dispute", "dispute_fee"] as const;
export const LedgerEntry = z
  .object({
    id: z.string(),
    type: z.enum(LEDGER_TYPES),
    amount: z.number().int(),
    currency: z.string(),
    orderId: z.string().nullable(),
    createdAt: z.number().int(),
  })
  .meta({ id: "LedgerEntry" });
export const BalanceByCurrency = z
  .object({
    currency: z.string(),
    sales: z.number().int(),
    /** Sales tax/VAT buyers paid on top of sales: carried to the author with each payment, theirs to remit (in the balance, not in sales). */
    tax: z.number().int(),
    platformFees: z.number().int(),
    refunds: z.number().int(),
    payouts: z.number().int(),
    /** Disputed amounts and Stripe's dispute fees withdrawn, less what won disputes gave back. */
    disputes: z.number().int(),
    /** What Plaza owes the account: sales − fees − refunds (+ refunded fees) − payouts − disputes. */
    balance: z.number().int(),
  })
  .meta({ id: "BalanceByCurrency" });
export const Earnings = z.object({ balances: z.array(BalanceByCurrency), recent: z.array(LedgerEntry) }).meta({ id: "Earnings" });
export const PlatformRevenue = z
  .object({ revenue: z.array(z.object({ currency: z.string(), amount: z.number().int() })) })
  .meta({ id: "PlatformRevenue" });
