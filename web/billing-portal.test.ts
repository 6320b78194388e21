/**
 * A past-due subscriber fixes their card in a real browser (Plaza and the Stripe emulator on their
 * own `wrangler dev`): Purchases says the renewal failed, Update payment method opens Stripe's
 * billing portal, where the buyer enters a working card and pays the open invoice, then returns to
 * Purchases and the subscription is active again. Setup (accounts, item, onboarding, subscribing,
 * the failing card and the clock passing the renewal) goes through the APIs.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { assertViteBuild, launchChromium, newContext } from "../scripts/lib/browser.mjs";
import { eventually } from "../scripts/lib/eventually";
import { expectStatus, plazaApi } from "../scripts/lib/plaza-api";
import { startPlazaWithStripe } from "../scripts/lib/stripe-emulator.mjs";
import { WAIT } from "../scripts/lib/wait-budgets.mjs";
import type { OrgT } from "../shared/api";
import type { SubscriptionT } from "../shared/payments";

const RUN = Date.now().toString(36);
const ITEM = {
  slug: `star-charts-${RUN}`,
  name: "Star Charts",
  pricing: { model: "subscription", amount: 900, currency: "usd", interval: "month" },
} as const;
const author = { name: "Henrietta Leavitt", email: `henrietta-${RUN}@example.com`, password: "period luminosity 1912", token: "" };
const buyer = { name: "Annie Cannon", email: `annie-${RUN}@example.com`, password: "harvard spectral 1901", token: "" };

let stack: Awaited<ReturnType<typeof startPlazaWithStripe>>;
const { api, signUpAndLogIn, publishItem } = plazaApi(() => stack.url);
let browser: Browser;
const pageErrors: string[] = [];

/** The emulator: its test-control routes (JSON) and its API with any test key. */
async function emulator<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${stack.stripe.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${stack.stripeApiKey}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status, `${path}: ${res.status}`).toBe(200);
  return (await res.json()) as T;
}

const subscription = async () => (await api<{ data: SubscriptionT[] }>("GET", "/v1/me/subscriptions", undefined, buyer.token)).body.data[0];

beforeAll(async () => {
  assertViteBuild();
  stack = await startPlazaWithStripe();
  browser = await launchChromium();
  [author.token, buyer.token] = await Promise.all([signUpAndLogIn(author), signUpAndLogIn(buyer)]);
  const org = await api<OrgT>("POST", "/v1/orgs", { name: "Leavitt Plates", slug: `leavitt-${RUN}` }, author.token);
  expectStatus(org, 201, "create org");
  const orgId = org.body.id;
  await publishItem(
    author.token,
    orgId,
    { slug: ITEM.slug, name: ITEM.name, summary: "Charts", description: "Paid item.", pricing: ITEM.pricing },
    { version: "1.0.0", changelog: "First" },
  );
  const link = await api<{ url: string }>("POST", `/v1/orgs/${orgId}/connect/onboarding`, undefined, author.token);
  expectStatus(link, 201, "onboarding link");
  expect((await fetch(`${link.body.url}/complete`, { method: "POST", redirect: "manual" })).status).toBe(303);
  await eventually("charges enabled", async () => {
    const status = await api<{ chargesEnabled: boolean }>("GET", `/v1/orgs/${orgId}/connect`, undefined, author.token);
    return status.body.chargesEnabled ? true : undefined;
  });

  // Subscribed, then the card starts failing and the renewal a month on is declined: past due.
  const checkout = await api<{ url: string }>("POST", `/v1/items/${ITEM.slug}/checkout`, {}, buyer.token);
  expectStatus(checkout, 201, "checkout");
  expect((await fetch(`${checkout.body.url}/pay`, { method: "POST", redirect: "manual" })).status).toBe(303);
  await eventually("the subscription", async () => ((await subscription())?.status === "active" ? true : undefined));
  const customers = await emulator<{ data: { id: string }[] }>(`/v1/customers?email=${encodeURIComponent(buyer.email)}`);
  await emulator(`/_emulator/customers/${customers.data[0]!.id}/payment_behavior`, { fail: true });
  await emulator("/_emulator/clock/advance", { seconds: 31 * 86_400 });
  await eventually("past due", async () => ((await subscription())?.status === "past_due" ? true : undefined));
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

test("a past-due buyer updates the card and pays on Stripe's billing portal; back on Purchases the subscription is active", async () => {
  const context = await newContext(browser, { baseURL: stack.url, viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(String(err)));
  await page.goto("/login?next=%2Fdashboard%2Fpurchases");
  await page.getByLabel("E-mail").fill(buyer.email);
  await page.getByLabel("Password").fill(buyer.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL("**/dashboard/purchases");

  const subscriptions = page.getByRole("region", { name: "Subscriptions" });
  const notice = subscriptions.getByRole("alert").filter({ hasText: `The payment for ${ITEM.name} failed.` });
  await subscriptions.getByRole("row").filter({ hasText: ITEM.name }).getByText("Payment failed").waitFor();
  await notice.getByRole("button", { name: "Update payment method" }).click();

  // Stripe's hosted portal (the emulator's): a card that works, then the open invoice.
  await page.waitForURL(new RegExp(`^${stack.stripe.url}/billing_portal/bps_`));
  await page.getByRole("alert").filter({ hasText: "Your latest payment failed." }).waitFor();
  await page.getByLabel("Card number").fill("4242 4242 4242 4242");
  await page.getByRole("button", { name: "Update payment method" }).click();
  await page.getByRole("status").filter({ hasText: "Your payment method was updated." }).waitFor();
  await page.getByText("VISA •••• 4242").waitFor();
  await page.getByRole("button", { name: "Pay 9.00 USD" }).click();
  await page.getByRole("status").filter({ hasText: "The invoice is paid." }).waitFor();
  await page.getByRole("link", { name: /^Return to / }).click();
  await page.waitForURL("**/dashboard/purchases");

  // Stripe's events reach Plaza through its queue: the page shows the state it loaded, so reload once it is in.
  await eventually("active again", async () => ((await subscription())?.status === "active" ? true : undefined));
  await page.reload();
  const row = subscriptions.getByRole("row").filter({ hasText: ITEM.name });
  await row.getByText("Active").waitFor({ timeout: WAIT.step });
  await row.getByText(/^Renews /).waitFor();
  expect(await subscriptions.getByRole("alert").count()).toBe(0);
  // The renewal is an order now: the first month and the one just paid.
  await page.getByRole("region", { name: "Orders" }).getByRole("row").filter({ hasText: ITEM.name }).nth(1).waitFor();
  await context.close();
  expect(pageErrors).toEqual([]);
});
