import { type Context, Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "./context";
import { invalidRequest } from "./errors";
import { emitEvent } from "./events";
import { parseParams } from "./params";
import { completeCheckoutSession } from "./resources/checkout-completion";
import type { CheckoutSession } from "./resources/checkout-sessions";
import { attemptPayment, type PaymentIntent } from "./resources/payments";

const outcomeParams = z.object({ succeed: z.boolean() }).strict();

/** The session in whichever account made it (the admin routes take no Stripe-Account header). */
function sessionOf(c: Context<AppEnv>) {
  const id = c.req.param("id")!;
  const store = c.var.store.forAccount(c.var.store.ownerOf("checkout.session", id)?.account ?? null);
  return { store, session: store.get<CheckoutSession>("checkout.session", id) };
}

/** Reads a JSON body: anything else is a 400, as every admin route answers bad input. */
async function json(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  try {
    return (await c.req.json()) as Record<string, unknown>;
  } catch {
    throw invalidRequest("Send a JSON body.");
  }
}

/**
 * Asynchronous payment methods (bank debits, vouchers), emulator-only:
 * - `POST /_emulator/checkout/sessions/{id}/pay_async`: the buyer pays with one; the session
 *   completes unpaid (`checkout.session.completed`, `payment_status: unpaid`), its payment intent processing.
 * - `POST /_emulator/checkout/sessions/{id}/async_payment` `{ "succeed": bool }`: the bank's answer,
 *   `checkout.session.async_payment_succeeded` (now paid) or `checkout.session.async_payment_failed`.
 */
export const adminCheckout = new Hono<AppEnv>()
  .post("/:id/pay_async", (c) => {
    const { store, session } = sessionOf(c);
    if (session.mode !== "payment") throw invalidRequest("Asynchronous payments are emulated in payment mode only.", "mode");
    if (session.status !== "open") throw invalidRequest(`This Checkout Session is ${session.status}.`, "id");
    return c.json(completeCheckoutSession(store, session, { asynchronous: true }));
  })
  .post("/:id/async_payment", async (c) => {
    const params = parseParams(outcomeParams, await json(c));
    const { store, session } = sessionOf(c);
    const intent = session.payment_intent ? store.find<PaymentIntent>("payment_intent", session.payment_intent as string) : undefined;
    if (session.status !== "complete" || session.payment_status !== "unpaid" || intent?.status !== "processing") {
      throw invalidRequest("This Checkout Session has no asynchronous payment awaiting its outcome.", "id");
    }
    if (!params.succeed) {
      attemptPayment(store, intent, { code: "payment_method_provider_decline", message: "The bank declined the debit." });
      emitEvent(store, "checkout.session.async_payment_failed", session);
      return c.json(session);
    }
    attemptPayment(store, intent);
    const paid = store.update({ ...session, payment_status: "paid" });
    emitEvent(store, "checkout.session.async_payment_succeeded", paid);
    return c.json(paid);
  });
