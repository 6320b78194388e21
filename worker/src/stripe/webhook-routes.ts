import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import Stripe from "stripe";
import { stripeEvents } from "../db/schema";
import type { AppEnv } from "../env";
import { validationError } from "../http/error-handler";
import { AppError } from "../http/errors";
import { log } from "../http/log";
import { createRouter } from "../http/openapi";
import { json } from "../http/openapi-helpers";
import { stripeCrypto, stripeFor } from "./client";
import { StripeEventSchema } from "./event-schema";

/** Stripe's own default: a signature older than 5 minutes is a replay. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const Received = z.object({ received: z.literal(true), duplicate: z.boolean() }).meta({ id: "StripeWebhookReceived" });
const signed = {
  headers: z.object({
    "stripe-signature": z.string().optional().meta({ description: "`t=…,v1=…`, checked against the endpoint's signing secret" }),
  }),
};
const responses = {
  200: json(Received, "Recorded (or already recorded); processing continues on a queue"),
  400: json(
    z.object({ error: z.object({ code: z.string(), message: z.string(), requestId: z.string() }) }),
    "Missing, bad, expired or replayed signature, or a signed body that is not a Stripe event: nothing stored",
  ),
};

/** A correctly signed body that is not a Stripe event: refused, and said so in the log (the endpoint is misconfigured or Stripe changed). */
function notAnEvent(c: Context<AppEnv>, error?: z.ZodError) {
  log("warn", "signed Stripe webhook body is not an event", {
    requestId: c.get("requestId"),
    issues: error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`),
  });
  return error ? validationError(error, "json") : new AppError("invalid_request", "The body is not a Stripe event");
}

/**
 * Verifies the raw body against the endpoint's secret, records the event once by its id, and queues
 * it: one write and one enqueue, so Stripe gets its 200 fast. A duplicate is acknowledged and
 * changes nothing; if the enqueue is lost, maintenance re-queues events left `received`.
 */
async function ingest(c: Context<AppEnv>, secret: string) {
  const raw = await c.req.text();
  let payload: unknown;
  try {
    payload = await stripeFor(c.env).webhooks.constructEventAsync(
      raw,
      c.req.header("stripe-signature") ?? "",
      secret,
      SIGNATURE_TOLERANCE_SECONDS,
      stripeCrypto,
    );
  } catch (err) {
    if (err instanceof Stripe.errors.StripeSignatureVerificationError)
      throw new AppError("invalid_request", "The Stripe-Signature header does not match this payload");
    throw notAnEvent(c);
  }
  // Signed is not the same as well-formed: only an event of the expected shape is recorded.
  const parsed = StripeEventSchema.safeParse(payload);
  if (!parsed.success) throw notAnEvent(c, parsed.error);
  const event = parsed.data;
  const inserted = await c
    .get("db")
    .insert(stripeEvents)
    .values({ id: event.id, type: event.type, account: event.account ?? null, payload: raw, status: "received", receivedAt: Date.now() })
    .onConflictDoNothing()
    .returning({ id: stripeEvents.id });
  if (inserted.length > 0) await c.env.STRIPE_EVENTS_QUEUE.send({ eventId: event.id });
  return c.json({ received: true as const, duplicate: inserted.length === 0 }, 200);
}

export const stripeWebhookRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/stripe/webhooks",
      tags: ["Stripe webhooks"],
      summary: "Platform events from Stripe (checkout, invoices, subscriptions, refunds)",
      request: signed,
      responses,
    }),
    (c) => ingest(c, c.env.STRIPE_WEBHOOK_SECRET),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/stripe/connect-webhooks",
      tags: ["Stripe webhooks"],
      summary: "Connect events from Stripe about authors' accounts (onboarding, payouts)",
      request: signed,
      responses,
    }),
    (c) => ingest(c, c.env.STRIPE_CONNECT_WEBHOOK_SECRET),
  );
