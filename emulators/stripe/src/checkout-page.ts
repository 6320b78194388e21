import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { html } from "hono/html";
import type { AppEnv } from "./context";
import { StripeApiError } from "./errors";
import { checkDestinationStillChargeable, completeCheckoutSession } from "./resources/checkout-completion";
import { expireDueSessions } from "./resources/checkout-expiry";
import { type CheckoutSession, redirectUrl } from "./resources/checkout-sessions";
import { applyBillingDetails, billingFields } from "./resources/tax";

const formatAmount = (amount: number, currency: string) => `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`;

/** A stand-in for Stripe's hosted Checkout page: plain forms, no JavaScript, no card fields. */
function page(session: CheckoutSession, problem?: string, billing: ReturnType<typeof billingFields> = "") {
  const open = session.status === "open";
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>Stripe emulator · Checkout</title>
      </head>
      <body>
        <main>
          <h1>Test checkout (Stripe emulator)</h1>
          <p>Session <code>${session.id}</code> · ${session.mode} · <strong>${formatAmount(session.amount_total, session.currency)}</strong></p>
          <p>${session.customer_email ?? session.customer ?? ""}</p>
          ${problem ? html`<p role="alert">${problem}</p>` : ""}
          ${
            open
              ? html`<form method="post" action="/checkout/${session.id}/pay">${billing}<button type="submit" name="outcome" value="pay">Pay</button></form>
                <form method="post" action="/checkout/${session.id}/decline"><button type="submit" name="outcome" value="decline">Decline</button></form>`
              : html`<p>This session is ${session.status}.</p>`
          }
        </main>
      </body>
    </html>`;
}

/** The hosted page is reached without a key or header, so it acts in whichever account made the session. */
const inSessionAccount = createMiddleware<AppEnv>(async (c, next) => {
  const store = c.var.store;
  // A session past its `expires_at` is expired before the page shows it or takes a payment.
  expireDueSessions(store.forAccount(null));
  c.set("store", store.forAccount(store.ownerOf("checkout.session", c.req.param("id")!)?.account ?? null));
  await next();
});

export const checkoutPage = new Hono<AppEnv>()
  .use("/:id", inSessionAccount)
  .use("/:id/*", inSessionAccount)
  .get("/:id", (c) => {
    const session = c.var.store.get<CheckoutSession>("checkout.session", c.req.param("id"));
    return c.html(page(session, undefined, billingFields(c.var.store, session)));
  })
  .post("/:id/pay", async (c) => {
    const store = c.var.store;
    let session = store.get<CheckoutSession>("checkout.session", c.req.param("id"));
    if (session.status === "open") {
      try {
        checkDestinationStillChargeable(store, session);
        // The billing country (and tax id) the page asked for, and the tax they bring (resources/tax.ts).
        const form = await c.req.parseBody();
        session = applyBillingDetails(store, session, { country: String(form.country ?? ""), taxId: String(form.tax_id ?? "") });
      } catch (error) {
        if (error instanceof StripeApiError) return c.html(page(session, error.message, billingFields(store, session)), 400);
        throw error;
      }
    }
    // A second click (or a replayed form post) finds the session complete and just redirects again.
    const completed = session.status === "open" ? completeCheckoutSession(store, session) : session;
    if (completed.status !== "complete") return c.html(page(completed), 400);
    return c.redirect(redirectUrl(completed.success_url, completed.id), 303);
  })
  .post("/:id/decline", (c) => {
    const session = c.var.store.get<CheckoutSession>("checkout.session", c.req.param("id"));
    if (!session.cancel_url) return c.html(page(session));
    return c.redirect(redirectUrl(session.cancel_url, session.id), 303);
  });
