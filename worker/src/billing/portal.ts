import { and, desc, eq } from "drizzle-orm";
import type { Ctx } from "../context";
import { AppError, notFound } from "../http/errors";
import { stripeFor } from "../stripe";
import { ENDED } from "./subscriptions";
import { subscriptions } from "./tables";

/**
 * A Stripe customer portal session for the buyer's own Stripe customer (the one their subscription
 * bills): there they update the card, pay an open invoice, cancel, and see their invoices; Stripe's
 * events bring any change back. `subscriptionId` picks whose customer; without it, the newest
 * subscription that still runs. Returns to Purchases.
 */
export async function openBillingPortal({ env, db }: Ctx, { userId, subscriptionId }: { userId: string; subscriptionId?: string }) {
  const rows = await db
    .select({ customerId: subscriptions.customerId, status: subscriptions.status })
    .from(subscriptions)
    .where(and(eq(subscriptions.userId, userId), subscriptionId ? eq(subscriptions.id, subscriptionId) : undefined))
    .orderBy(desc(subscriptions.createdAt))
    .limit(100);
  if (subscriptionId && rows.length === 0) throw notFound("Subscription");
  // Ended subscriptions have nothing left to manage (as cancel and resume refuse them).
  const chosen = rows.find((row) => !ENDED.has(row.status));
  if (!chosen)
    throw new AppError("conflict", subscriptionId ? "This subscription has ended" : "You have no running subscriptions to manage");
  const session = await stripeFor(env).billingPortal.sessions.create({
    customer: chosen.customerId,
    return_url: `${env.APP_URL}/dashboard/purchases`,
  });
  return { url: session.url };
}
