import { eq } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type Stripe from "stripe";
import { accountForBuyer } from "../auth";
import type { Ctx } from "../context";
import { grantEntitlementStatements } from "../entitlements";
import { issuedKey, issueLicenseStatements } from "../licenses";
import { enqueueMail } from "../mail";
import { linkEntitlement, orderExists, orderIdOf, plazaMetadata, saleStatements } from "../orders";
import { receiptStatement } from "../receipts";
import { stripeFor } from "../stripe";
import { enqueueWebhookEvents } from "../webhooks";
import { saleDiscount } from "./discounts";
import { checkouts } from "./tables";
import { sessionTax, TAX_EXPAND } from "./tax";

export interface FulfillmentResult {
  orderId: string;
  /** False when the order already existed: nothing was written. */
  created: boolean;
  /**
   * The license key this attempt issued, in full: the only time it exists outside the buyer's
   * hands (and the one-time reveal row). Null when another attempt issued the license first.
   */
  license: { id: string; key: string } | null;
}

/**
 * `checkout.session.completed` in payment mode: one order, one `purchase` entitlement, its license
 * and the ledger entries, in one batch. The session is re-fetched so an event's stale copy decides nothing.
 */
export async function fulfillCheckoutPayment(ctx: Ctx, sessionId: string): Promise<FulfillmentResult | undefined> {
  const { env, db } = ctx;
  const stripe = stripeFor(env);
  const session = await stripe.checkout.sessions.retrieve(sessionId, { expand: ["payment_intent", TAX_EXPAND] });
  const metadata = plazaMetadata(session.metadata);
  if (!metadata || session.mode !== "payment" || session.payment_status !== "paid") return undefined;
  const paymentIntent = session.payment_intent as Stripe.PaymentIntent | null;
  const orderId = await orderIdOf(session.id);
  if (await orderExists(db, orderId)) return { orderId, created: false, license: null };

  const [checkout] = await db.select().from(checkouts).where(eq(checkouts.id, metadata.plaza_checkout_id)).limit(1);
  // What was paid must be what Plaza asked for: same session, amount and currency as the checkout
  // (Plaza's amount is before tax: Stripe Tax adds the tax on top).
  const tax = sessionTax(session);
  if (
    !checkout ||
    checkout.sessionId !== session.id ||
    checkout.amount !== (session.amount_total ?? 0) - tax.amount ||
    checkout.currency !== session.currency
  ) {
    ctx.log("error", "paid checkout session does not match its checkout", {
      sessionId: session.id,
      checkoutId: metadata.plaza_checkout_id,
    });
    return undefined;
  }
  const userId = await accountForBuyer(db, metadata.plaza_email);
  const coupon = await saleDiscount(ctx, { couponId: checkout.couponId, session, orderId, now: Date.now() });
  const sale = await saleStatements(ctx, {
    sourceId: session.id,
    kind: "purchase",
    metadata,
    userId,
    amount: session.amount_total ?? 0,
    fee: paymentIntent?.application_fee_amount ?? 0,
    currency: session.currency ?? "usd",
    priceId: checkout.priceId,
    paymentIntentId: paymentIntent?.id ?? null,
    subscriptionId: null,
    tax,
    discount: coupon.discount,
  });
  const license = await issueLicenseStatements(ctx, {
    source: { kind: "purchase", orderId: sale.orderId },
    orgId: metadata.plaza_org_id,
    itemId: metadata.plaza_item_id,
    userId,
    checkoutId: checkout.id,
  });
  const receipt = await receiptStatement(ctx, {
    licenseId: license.licenseId,
    key: license.key,
    to: metadata.plaza_email,
    itemName: license.itemName,
    issuedByThisAttempt: license.issuedByThisAttempt,
    now: Date.now(),
  });
  const grant = await grantEntitlementStatements(ctx, {
    itemId: metadata.plaza_item_id,
    userId,
    source: "purchase",
    reference: sale.orderId,
  });
  const statements: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] = [
    ...(sale.statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]),
    ...grant.statements,
    ...coupon.statements,
    linkEntitlement(db, { orderId: sale.orderId, userId, itemId: metadata.plaza_item_id, source: "purchase" }),
  ];
  const licenseAt = statements.length;
  const results = await db.batch([...statements, ...license.statements, receipt.statement]);
  const key = issuedKey(license, results, licenseAt);
  if (key) await enqueueMail(ctx, [receipt.id]);
  await enqueueMail(ctx, sale.mailIds);
  await enqueueWebhookEvents(env, [...sale.webhookEventIds, ...grant.webhookEventIds, license.webhookEventId]);
  return { orderId: sale.orderId, created: true, license: key ? { id: license.licenseId, key } : null };
}
