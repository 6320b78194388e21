import { Hono } from "hono";
import { html } from "hono/html";
import type { AppEnv } from "./context";
import { type AccountLink, usableLink } from "./resources/account-links";
import { type Account, completeOnboarding } from "./resources/accounts";

/** Stand-ins for Stripe's hosted Connect pages: plain forms, no JavaScript. */
function onboardingPage(link: AccountLink, account: Account) {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>Stripe emulator · Connect onboarding</title>
      </head>
      <body>
        <main>
          <h1>Set up payouts (Stripe emulator)</h1>
          <p>Account <code>${account.id}</code> · ${account.type} · ${account.email ?? ""}</p>
          <form method="post" action="/connect/onboarding/${link.id}/complete"><button type="submit">Complete onboarding</button></form>
          <form method="post" action="/connect/onboarding/${link.id}/exit"><button type="submit">Save and exit</button></form>
        </main>
      </body>
    </html>`;
}

function dashboardPage(account: Account) {
  const yesNo = (value: boolean) => (value ? "yes" : "no");
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>Stripe emulator · Express dashboard</title>
      </head>
      <body>
        <main>
          <h1>Express dashboard (Stripe emulator)</h1>
          <p>Account <code>${account.id}</code> · ${account.email ?? ""}</p>
          <dl>
            <dt>Charges enabled</dt><dd>${yesNo(account.charges_enabled)}</dd>
            <dt>Payouts enabled</dt><dd>${yesNo(account.payouts_enabled)}</dd>
            <dt>Details submitted</dt><dd>${yesNo(account.details_submitted)}</dd>
          </dl>
        </main>
      </body>
    </html>`;
}

export const connectPages = new Hono<AppEnv>()
  .get("/onboarding/:link", (c) => {
    const store = c.var.store;
    const link = store.get<AccountLink>("account_link", c.req.param("link"));
    if (!usableLink(store, link)) return c.redirect(link.refresh_url, 302);
    return c.html(onboardingPage(link, store.get<Account>("account", link.account)));
  })
  .post("/onboarding/:link/:action{complete|exit}", (c) => {
    const store = c.var.store;
    const link = store.get<AccountLink>("account_link", c.req.param("link"));
    // An expired link, or one already used (a second submit, a back button), starts over at refresh_url.
    if (!usableLink(store, link)) return c.redirect(link.refresh_url, 303);
    store.update({ ...link, used: true });
    if (c.req.param("action") === "complete") completeOnboarding(store, store.get<Account>("account", link.account));
    return c.redirect(link.return_url, 303);
  })
  .get("/express/:account/:token", (c) => c.html(dashboardPage(c.var.store.get<Account>("account", c.req.param("account")))));
