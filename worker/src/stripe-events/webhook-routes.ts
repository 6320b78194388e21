import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { createRouter } from "../http/openapi";
import { json } from "../http/openapi-helpers";
import { recordStripeEvent } from "./ingest";

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

/** The raw body and its signature, checked against `secret`; the event types some module handles come from the runtime. */
async function receive(c: Context<AppEnv>, secret: string) {
  const handlers = c.var.runtime.stripeHandlers;
  const { duplicate } = await recordStripeEvent(c.var.ctx, {
    raw: await c.req.text(),
    signature: c.req.header("stripe-signature") ?? "",
    secret,
    handled: (type) => Object.hasOwn(handlers, type),
  });
  return c.json({ received: true as const, duplicate }, 200);
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
    (c) => receive(c, c.env.STRIPE_WEBHOOK_SECRET),
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
    (c) => receive(c, c.env.STRIPE_CONNECT_WEBHOOK_SECRET),
  );
