import { type Context, Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { html } from "hono/html";
import { collectInvoice, type Invoice } from "./billing/invoicing";
import type { AppEnv } from "./context";
import { StripeApiError } from "./errors";
import { openPortalSession, type PortalSession } from "./resources/billing-portal";
import { atCustomerTime, type Customer } from "./resources/customers";
import { attachTestCard, type PaymentMethod } from "./resources/payment-methods";
import type { Product } from "./resources/products";
import { cancelAtPeriodEndFields, currentPeriod, type Subscription, saveSubscription } from "./resources/subscriptions";
import type { ObjectStore } from "./store";

const formatAmount = (amount: number, currency: string) => `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`;
const formatDate = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);

/** What the page says after an action redirected back to it (`?done=`). */
const NOTICES: Record<string, string> = {
  card: "Your payment method was updated.",
  paid: "The invoice is paid.",
  canceled: "Your subscription will be canceled at the end of the period.",
  renewed: "Your subscription will renew.",
};

const STATUS_LABELS: Record<string, string> = { active: "Active", past_due: "Past due", unpaid: "Unpaid", incomplete: "Incomplete" };

function subscriptionName(store: ObjectStore, subscription: Subscription) {
  const price = subscription.items.data[0]!.price;
  const product = store.find<Product>("product", price.product);
  const interval = price.recurring ? ` / ${price.recurring.interval}` : "";
  return { name: product?.name ?? price.product, price: `${formatAmount(price.unit_amount ?? 0, price.currency)}${interval}` };
}

/** A stand-in for Stripe's hosted customer portal: the customer's card, subscriptions and invoices; plain forms, no JavaScript. */
function portalPage(store: ObjectStore, session: PortalSession, messages: { notice?: string; problem?: string } = {}) {
  const base = `/billing_portal/${session.id}`;
  const customer = store.get<Customer>("customer", session.customer);
  const defaultMethod = (customer.invoice_settings as { default_payment_method: string | null }).default_payment_method;
  const card = defaultMethod ? store.find<PaymentMethod>("payment_method", defaultMethod)?.card : undefined;
  const subscriptions = store.all<Subscription>("subscription").filter((s) => s.customer === customer.id && s.status !== "canceled");
  const invoices = store
    .all<Invoice>("invoice")
    .filter((i) => i.customer === customer.id && i.status !== "draft")
    .reverse();
  const pastDue = subscriptions.some((s) => s.status === "past_due");
  return portalShell(
    session,
    html`<h1>Manage billing (Stripe emulator)</h1>
          <p>${customer.email ?? customer.id}</p>
          ${messages.notice ? html`<p role="status">${messages.notice}</p>` : ""}
          ${messages.problem ? html`<p role="alert">${messages.problem}</p>` : ""}
          ${pastDue ? html`<p role="alert">Your latest payment failed. Update your payment method, then pay the open invoice.</p>` : ""}
          <section aria-labelledby="pm">
            <h2 id="pm">Payment method</h2>
            <p>${card ? `${card.brand.toUpperCase()} •••• ${card.last4}, expires ${card.exp_month}/${card.exp_year}` : "No payment method on file."}</p>
            <form method="post" action="${base}/payment_method">
              <label>Card number <input name="number" inputmode="numeric" autocomplete="cc-number" required /></label>
              <button type="submit">Update payment method</button>
            </form>
            <p><small>Test cards: 4242 4242 4242 4242 works; 4000 0000 0000 0341 is saved but its charges are declined; 4000 0000 0000 0002 is declined.</small></p>
          </section>
          <section aria-labelledby="subs">
            <h2 id="subs">Subscriptions</h2>
            ${subscriptions.length === 0 ? html`<p>No subscriptions.</p>` : ""}
            <ul>
              ${subscriptions.map((s) => {
                const { name, price } = subscriptionName(store, s);
                const end = formatDate(currentPeriod(s).end);
                return html`<li data-subscription="${s.id}">
                  <strong>${name}</strong> · ${price} · ${STATUS_LABELS[s.status] ?? s.status} ·
                  ${s.cancel_at_period_end ? `Cancels ${end}` : `Renews ${end}`}
                  <form method="post" action="${base}/subscriptions/${s.id}/${s.cancel_at_period_end ? "renew" : "cancel"}">
                    <button type="submit">${s.cancel_at_period_end ? `Renew ${name}` : `Cancel ${name}`}</button>
                  </form>
                </li>`;
              })}
            </ul>
          </section>
          <section aria-labelledby="invoices">
            <h2 id="invoices">Invoice history</h2>
            <table>
              <thead><tr><th>Date</th><th>Invoice</th><th>Amount</th><th>Status</th><th></th></tr></thead>
              <tbody>
                ${invoices.map(
                  (i) => html`<tr data-invoice="${i.id}">
                    <td>${formatDate(i.created as number)}</td><td>${String(i.number ?? i.id)}</td>
                    <td>${formatAmount(i.amount_due, i.currency)}</td><td>${i.status}</td>
                    <td>${
                      i.status === "open"
                        ? html`<form method="post" action="${base}/invoices/${i.id}/pay"><button type="submit">Pay ${formatAmount(i.amount_remaining, i.currency)}</button></form>`
                        : ""
                    }</td>
                  </tr>`,
                )}
              </tbody>
            </table>
          </section>`,
  );
}

function expiredPage(session: PortalSession) {
  return portalShell(
    session,
    html`<h1>This link has expired</h1>
      <p>Portal sessions are short-lived: go back and open billing again.</p>`,
  );
}

type PortalEnv = AppEnv & { Variables: { session: PortalSession } };

/**
 * The page is reached without a key, so it acts in the account that made the session; an expired
 * session (not opened within its five minutes, or an hour after it was) only shows that it expired.
 */
const inSession = createMiddleware<PortalEnv>(async (c, next) => {
  const id = c.req.param("id")!;
  const store = c.var.store.forAccount(c.var.store.ownerOf("billing_portal.session", id)?.account ?? null);
  const session = store.get<PortalSession>("billing_portal.session", id);
  if (!openPortalSession(store, session)) return c.html(expiredPage(session), 410);
  c.set("store", store);
  c.set("session", session);
  await next();
});

/** The customer's own subscription or invoice: another customer's answers 404, as if it did not exist. */
function ownedBy<T extends Subscription | Invoice>(c: Context<PortalEnv>, type: "subscription" | "invoice", id: string): T {
  const object = c.var.store.get<T>(type, id);
  if (object.customer !== c.var.session.customer)
    throw new StripeApiError(404, { type: "invalid_request_error", message: `No such ${type}: '${id}'` });
  return object;
}

/** Back to the page with a notice (post/redirect/get, so a reload does not repeat the action). */
const done = (c: Context<PortalEnv>, notice: keyof typeof NOTICES) => c.redirect(`/billing_portal/${c.var.session.id}?done=${notice}`, 303);

/** A declined card or a bad number shows on the page with Stripe's message and status. */
function refused(c: Context<PortalEnv>, error: unknown) {
  if (!(error instanceof StripeApiError)) throw error;
  return c.html(portalPage(c.var.store, c.var.session, { problem: error.message }), error.status as 400 | 402);
}

export const billingPortalPage = new Hono<PortalEnv>()
  .use("/:id", inSession)
  .use("/:id/*", inSession)
  .get("/:id", (c) => c.html(portalPage(c.var.store, c.var.session, { notice: NOTICES[c.req.query("done") ?? ""] })))
  .post("/:id/payment_method", async (c) => {
    const form = await c.req.parseBody();
    const { store, session } = c.var;
    try {
      attachTestCard(store, store.get<Customer>("customer", session.customer), String(form.number ?? ""));
    } catch (error) {
      return refused(c, error);
    }
    return done(c, "card");
  })
  .post("/:id/invoices/:invoice/pay", (c) => {
    const store = c.var.store;
    const invoice = ownedBy<Invoice>(c, "invoice", c.req.param("invoice"));
    // A second click (or a replayed form post) finds it paid and just shows the page again.
    if (invoice.status !== "open") return done(c, "paid");
    const result = atCustomerTime(store, invoice.customer, () => collectInvoice(store, invoice));
    if (!result.paid) return refused(c, new StripeApiError(402, { type: "card_error", message: String(result.charge?.failure_message) }));
    return done(c, "paid");
  })
  .post("/:id/subscriptions/:subscription/:action{cancel|renew}", (c) => {
    const store = c.var.store;
    const subscription = ownedBy<Subscription>(c, "subscription", c.req.param("subscription"));
    const cancel = c.req.param("action") === "cancel";
    // An ended subscription is off the page; a stale form for it changes nothing.
    if (subscription.status === "canceled") return c.redirect(`/billing_portal/${c.var.session.id}`, 303);
    atCustomerTime(store, subscription.customer, () =>
      saveSubscription(store, subscription, { ...subscription, ...cancelAtPeriodEndFields(store, subscription, cancel) }),
    );
    return done(c, cancel ? "canceled" : "renewed");
  });

/** The portal's page around `content`, ending with the way back to the business (the session's `return_url`). */
function portalShell(session: PortalSession, content: ReturnType<typeof html>) {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>Stripe emulator · Billing</title>
      </head>
      <body>
        <main>
          ${content}
          ${session.return_url ? html`<p><a href="${session.return_url}">Return to ${new URL(session.return_url).host}</a></p>` : ""}
        </main>
      </body>
    </html>`;
}
