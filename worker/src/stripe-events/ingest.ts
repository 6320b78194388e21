import Stripe from "stripe";
import type { z } from "zod";
import type { Ctx } from "../context";
import { validationError } from "../http/error-handler";
import { AppError } from "../http/errors";
import { stripeCrypto, stripeFor } from "../stripe";
import { stripeEventSchema } from "./event-schema";
import { stripeEvents } from "./tables";

/** Stripe's own default: a signature older than 5 minutes is a replay. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export interface SignedDelivery {
  /** The body exactly as Stripe sent it: the signature covers these bytes. */
  raw: string;
  /** The `Stripe-Signature` header (`t=…,v1=…`). */
  signature: string;
  /** The endpoint's signing secret (platform or Connect). */
  secret: string;
  /** Whether some module acts on events of this type (their objects are checked further). */
  handled: (type: string) => boolean;
}

/** A correctly signed body that is not a Stripe event: refused, and said so in the log (the endpoint is misconfigured or Stripe changed). */
function notAnEvent(ctx: Ctx, error?: z.ZodError) {
  ctx.log("warn", "signed Stripe webhook body is not an event", {
    issues: error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`),
  });
  return error ? validationError(error, "json") : new AppError("invalid_request", "The body is not a Stripe event");
}

/**
 * Verifies the raw body against the endpoint's secret, records the event once by its id, and queues
 * it: one write and one enqueue, so Stripe gets its 200 fast. A duplicate is acknowledged and
 * changes nothing; if the enqueue is lost, the `requeue-stale-stripe-events` job re-queues events
 * left `received`.
 */
export async function recordStripeEvent(ctx: Ctx, delivery: SignedDelivery): Promise<{ duplicate: boolean }> {
  let payload: unknown;
  try {
    payload = await stripeFor(ctx.env).webhooks.constructEventAsync(
      delivery.raw,
      delivery.signature,
      delivery.secret,
      SIGNATURE_TOLERANCE_SECONDS,
      stripeCrypto,
    );
  } catch (err) {
    if (err instanceof Stripe.errors.StripeSignatureVerificationError)
      throw new AppError("invalid_request", "The Stripe-Signature header does not match this payload");
    throw notAnEvent(ctx);
  }
  // Signed is not the same as well-formed: only an event of the expected shape is recorded.
  const parsed = stripeEventSchema(delivery.handled).safeParse(payload);
  if (!parsed.success) throw notAnEvent(ctx, parsed.error);
  const event = parsed.data;
  const inserted = await ctx.db
    .insert(stripeEvents)
    .values({
      id: event.id,
      type: event.type,
      account: event.account ?? null,
      payload: delivery.raw,
      status: "received",
      receivedAt: Date.now(),
    })
    .onConflictDoNothing()
    .returning({ id: stripeEvents.id });
  if (inserted.length > 0) await ctx.env.STRIPE_EVENTS_QUEUE.send({ eventId: event.id });
  return { duplicate: inserted.length === 0 };
}
