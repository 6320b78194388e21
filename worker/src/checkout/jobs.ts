import { and, asc, eq, lt } from "drizzle-orm";
import type { Job } from "../module";
import { stripeFor } from "../stripe";
import { closeCheckout, closedStatus } from "./closing";
import { checkouts } from "./tables";

/** Stripe's Checkout Session lifetime when `expires_at` is not set (Plaza does not set it). */
export const SESSION_LIFETIME_MS = 24 * 3_600_000;
/** Time for Stripe's own `checkout.session.expired` to arrive before the job asks. */
const EXPIRY_GRACE_MS = 3_600_000;

/**
 * Checkouts still open past the session's lifetime, whose closing Stripe never reported (a lost
 * or disabled event): Stripe is asked for the session, an open one is expired there
 * (`checkout.session.expired` follows and finds it closed), and an expired or failed one closes
 * here. A completed, paid session is left to its `completed` event, which Stripe retries for days.
 * Answers how many checkouts it closed; one session's error is logged and the rest go on.
 */
export const expireAbandonedCheckouts: Job = async (ctx) => {
  const { db, env, now, batchSize } = ctx;
  const stale = await db
    .select({ sessionId: checkouts.sessionId })
    .from(checkouts)
    .where(and(eq(checkouts.status, "open"), lt(checkouts.createdAt, now - SESSION_LIFETIME_MS - EXPIRY_GRACE_MS)))
    .orderBy(asc(checkouts.createdAt))
    .limit(batchSize);
  const stripe = stripeFor(env);
  let closed = 0;
  for (const { sessionId } of stale) {
    try {
      let session = await stripe.checkout.sessions.retrieve(sessionId, { expand: ["payment_intent"] });
      if (session.status === "open") session = await stripe.checkout.sessions.expire(sessionId);
      const status = closedStatus(session);
      if (status && (await closeCheckout(ctx, { sessionId, status, now }))) closed++;
    } catch (error) {
      // Paid between the two calls (Stripe refuses to expire it), or Stripe unreachable: the next tick asks again.
      ctx.log("warn", "could not expire an abandoned checkout", { sessionId, error: String(error) });
    }
  }
  return closed;
};

/** The cron jobs of checkout, by their `job_runs.job` names. */
export const checkoutJobs = {
  "expire-abandoned-checkouts": expireAbandonedCheckouts,
};
