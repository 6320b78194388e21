import { and, eq } from "drizzle-orm";
import type Stripe from "stripe";
import type { Ctx } from "../context";
import { NotYetKnown } from "../module";
import { checkouts } from "./tables";

export type ClosedStatus = "expired" | "failed";

/**
 * How Stripe's session closed a checkout without payment, read from the session as Stripe has it
 * now (expanded `payment_intent`): `expired` (Stripe never completes an expired session), or
 * `failed` (completed with an asynchronous payment that failed: the session stays complete and
 * unpaid, its payment intent back to `requires_payment_method`). Undefined while it may still be paid.
 */
export function closedStatus(session: Stripe.Checkout.Session): ClosedStatus | undefined {
  if (session.status === "expired") return "expired";
  const intent = session.payment_intent as Stripe.PaymentIntent | string | null;
  const failed = typeof intent === "object" && intent?.status === "requires_payment_method";
  if (session.status === "complete" && session.payment_status === "unpaid" && failed) return "failed";
  return undefined;
}

/**
 * Closes an open checkout as `status`, with whatever other domains reserved for it released in the
 * same batch (`checkout.closed`; its handlers' statements must be guarded as this update is). True when this call closed it; false when it was already closed
 * or complete (a replayed event, the job and the event racing). A checkout Plaza has not recorded
 * yet (its row follows the session's creation) is tried again later.
 */
export async function closeCheckout(ctx: Ctx, input: { sessionId: string; status: ClosedStatus; now: number }): Promise<boolean> {
  const { db } = ctx;
  const [checkout] = await db
    .select({ id: checkouts.id, status: checkouts.status })
    .from(checkouts)
    .where(eq(checkouts.sessionId, input.sessionId))
    .limit(1);
  if (!checkout) throw new NotYetKnown(`checkout of session ${input.sessionId}`);
  if (checkout.status !== "open") return false;
  const released = await ctx.events.emit("checkout.closed", { checkoutId: checkout.id, status: input.status, now: input.now });
  const [closed] = await db.batch([
    db
      .update(checkouts)
      .set({ status: input.status })
      .where(and(eq(checkouts.id, checkout.id), eq(checkouts.status, "open")))
      .returning({ id: checkouts.id }),
    ...released,
  ]);
  return closed.length === 1;
}
