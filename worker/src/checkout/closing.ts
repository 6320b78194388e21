import { and, eq } from "drizzle-orm";
import type Stripe from "stripe";
import { findItemRef } from "../catalog";
import type { Ctx, Statement } from "../context";
import { derivedId } from "../crypto/random";
import { checkoutPaymentFailedMail, enqueueMail, mailInsert } from "../mail";
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
    .select({ id: checkouts.id, status: checkouts.status, email: checkouts.email, itemId: checkouts.itemId })
    .from(checkouts)
    .where(eq(checkouts.sessionId, input.sessionId))
    .limit(1);
  if (!checkout) throw new NotYetKnown(`checkout of session ${input.sessionId}`);
  if (checkout.status !== "open") return false;
  const released = await ctx.events.emit("checkout.closed", { checkoutId: checkout.id, status: input.status, now: input.now });
  const mail = input.status === "failed" ? await paymentFailedMail(ctx, checkout) : undefined;
  const [closed] = await db.batch([
    db
      .update(checkouts)
      .set({ status: input.status })
      .where(and(eq(checkouts.id, checkout.id), eq(checkouts.status, "open")))
      .returning({ id: checkouts.id }),
    ...released,
    ...(mail ? [mail.statement] : []),
  ]);
  // The winner of a race sends it (a mail left queued is retried by the mail jobs).
  if (mail && closed.length === 1) await enqueueMail(ctx, [mail.id]);
  return closed.length === 1;
}

/**
 * The buyer hears that the bank declined (the hosted page had already said "payment received"):
 * one e-mail per checkout, its id derived from it, so racing closers write it once.
 */
async function paymentFailedMail(ctx: Ctx, checkout: { id: string; email: string | null; itemId: string }) {
  const item = await findItemRef(ctx.db, checkout.itemId);
  if (!checkout.email || !item) return undefined;
  const id = await derivedId("mail", `checkout-failed:${checkout.id}`);
  const url = `${ctx.env.APP_URL}/items/${encodeURIComponent(item.slug)}#buy`;
  const { insert } = await mailInsert(ctx, { to: checkout.email, mail: checkoutPaymentFailedMail(item.name, url), id });
  return { id, statement: insert.onConflictDoNothing() as Statement };
}
