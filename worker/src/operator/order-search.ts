/** Operators find orders by the buyer's e-mail, the order id or a Stripe id, with what each order entitles. */
import Stripe from "stripe";
import { ID_PREFIX } from "../../../shared/ids";
import type { OperatorOrderT } from "../../../shared/operator";
import { findAccountByEmail } from "../auth";
import { checkoutIdOfSession, sessionIdsOf } from "../checkout";
import type { Ctx } from "../context";
import { entitlementsOf, toEntitlement } from "../entitlements";
import { findOrdersFor, type OrderMatch } from "../orders";
import { stripeFor } from "../stripe";

/** What `q` names, by its shape; a charge is asked of Stripe for its payment intent. */
async function matchOf(ctx: Ctx, q: string): Promise<OrderMatch | undefined> {
  if (q.startsWith(`${ID_PREFIX.order}_`)) return { orderId: q };
  if (q.startsWith("pi_")) return { paymentIntentId: q };
  if (q.startsWith("cs_")) {
    const checkoutId = await checkoutIdOfSession(ctx.db, q);
    return { checkoutIds: checkoutId ? [checkoutId] : [] };
  }
  if (q.startsWith("ch_") || q.startsWith("py_")) {
    const paymentIntentId = await paymentIntentOfCharge(ctx, q);
    return paymentIntentId ? { paymentIntentId } : undefined;
  }
  if (q.includes("@")) {
    const account = await findAccountByEmail(ctx.db, q.toLowerCase());
    return account ? { userId: account.id } : { email: q.toLowerCase() };
  }
  return undefined;
}

async function paymentIntentOfCharge(ctx: Ctx, chargeId: string) {
  try {
    const charge = await stripeFor(ctx.env).charges.retrieve(chargeId);
    return typeof charge.payment_intent === "string" ? charge.payment_intent : charge.payment_intent?.id;
  } catch (err) {
    // No such charge: nothing found, like any other id that names nothing.
    if (err instanceof Stripe.errors.StripeInvalidRequestError && err.code === "resource_missing") return undefined;
    throw err;
  }
}

export async function searchOrders(ctx: Ctx, { q }: { q: string }): Promise<OperatorOrderT[]> {
  const match = await matchOf(ctx, q.trim());
  if (!match) return [];
  const found = await findOrdersFor(ctx.db, match);
  const sessions = await sessionIdsOf(
    ctx.db,
    found.flatMap((o) => (o.checkoutId ? [o.checkoutId] : [])),
  );
  const heldBy = new Map<string, Awaited<ReturnType<typeof entitlementsOf>>>();
  for (const userId of new Set(found.map((o) => o.userId))) heldBy.set(userId, await entitlementsOf(ctx.db, userId));
  const chargeId = q.startsWith("ch_") || q.startsWith("py_") ? q : null;
  return found.map(({ paymentIntentId, checkoutId, ...order }) => {
    const itemIds = new Set(order.items.map((i) => i.itemId));
    return {
      ...order,
      stripePaymentIntentId: paymentIntentId,
      stripeCheckoutSessionId: checkoutId ? (sessions.get(checkoutId) ?? null) : null,
      // Plaza keeps no charge ids: known only when the search named the charge.
      stripeChargeId: chargeId,
      entitlements: (heldBy.get(order.userId) ?? []).filter((e) => itemIds.has(e.itemId)).map((e) => toEntitlement(e)),
    };
  });
}
