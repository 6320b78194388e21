/**
 * A checkout that is never paid, in a real browser (Plaza and the Stripe emulator on their own
 * `wrangler dev`): a guest starts buying from the storefront, leaves the hosted checkout page, and
 * Stripe expires the session. The success link (the page keeps refreshing itself while the checkout
 * is open) then says the checkout expired and nothing was charged, and offers to buy again. Setup
 * (sign-up, org, item, onboarding) and Stripe's expiry go through the APIs; what the buyer sees and
 * clicks goes through Chromium.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { assertViteBuild, launchChromium, newContext } from "../scripts/lib/browser.mjs";
import { eventually } from "../scripts/lib/eventually";
import { expectStatus, plazaApi } from "../scripts/lib/plaza-api";
import { startPlazaWithStripe } from "../scripts/lib/stripe-emulator.mjs";
import { WAIT } from "../scripts/lib/wait-budgets.mjs";
import type { OrgT } from "../shared/api";

const RUN = Date.now().toString(36);
const ITEM = { slug: `tide-tables-${RUN}`, name: "Tide Tables", pricing: { model: "one_time", amount: 1400, currency: "usd" } } as const;
const author = { name: "Marie Tharp", email: `marie-${RUN}@example.com`, password: "mid-atlantic ridge 1957", token: "" };

let stack: Awaited<ReturnType<typeof startPlazaWithStripe>>;
const { api, signUpAndLogIn, publishItem } = plazaApi(() => stack.url);
let browser: Browser;
let orgId: string;

/** The emulator's Stripe API, with any test key (Stripe's calls as Plaza's SDK makes them). */
async function stripeApi<T>(method: string, path: string): Promise<T> {
  const res = await fetch(`${stack.stripe.url}${path}`, { method, headers: { authorization: `Bearer ${stack.stripeApiKey}` } });
  expect(res.status, `${method} ${path}: ${res.status}`).toBe(200);
  return (await res.json()) as T;
}

async function publishPaidItem() {
  await publishItem(
    author.token,
    orgId,
    { slug: ITEM.slug, name: ITEM.name, summary: "Tides", description: "Paid item.", pricing: ITEM.pricing },
    { version: "1.0.0", changelog: "First" },
  );
}

beforeAll(async () => {
  assertViteBuild();
  stack = await startPlazaWithStripe();
  browser = await launchChromium();
  author.token = await signUpAndLogIn(author);
  const org = await api<OrgT>("POST", "/v1/orgs", { name: "Tharp Charts", slug: `tharp-${RUN}` }, author.token);
  expectStatus(org, 201, "create org");
  orgId = org.body.id;
  await publishPaidItem();
  const link = await api<{ url: string }>("POST", `/v1/orgs/${orgId}/connect/onboarding`, undefined, author.token);
  expectStatus(link, 201, "onboarding link");
  expect((await fetch(`${link.body.url}/complete`, { method: "POST", redirect: "manual" })).status).toBe(303);
  await eventually("charges enabled", async () => {
    const status = await api<{ chargesEnabled: boolean }>("GET", `/v1/orgs/${orgId}/connect`, undefined, author.token);
    return status.body.chargesEnabled ? true : undefined;
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

test("a guest's abandoned checkout expires: the success link says so, nothing was charged, and Buy again leads back to the item", async () => {
  const context = await newContext(browser, { baseURL: stack.url, viewport: { width: 1200, height: 900 }, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`/items/${ITEM.slug}`);
  const guestForm = page.getByRole("form", { name: "Buy as a guest" });
  await guestForm.getByLabel("Or as a guest: your e-mail").fill(`ida-${RUN}@example.com`);
  await guestForm.getByRole("button", { name: "Continue to payment" }).click();
  await page.waitForURL(new RegExp(`^${stack.stripe.url}/checkout/cs_test_`));
  const sessionId = new URL(page.url()).pathname.split("/").pop()!;
  const session = await stripeApi<{ success_url: string }>("GET", `/v1/checkout/sessions/${sessionId}`);

  // The buyer opens the success link before anything is decided: it waits, refreshing itself.
  await page.goto(new URL(session.success_url).pathname + new URL(session.success_url).search);
  await page.getByRole("heading", { level: 1, name: "Payment received" }).waitFor();
  // Stripe expires the session (24 hours on, or Plaza's job asking it to).
  await stripeApi("POST", `/v1/checkout/sessions/${sessionId}/expire`);
  await page.getByRole("heading", { level: 1, name: "Checkout expired" }).waitFor({ timeout: WAIT.backgroundWork });
  await page.getByText(`This checkout for ${ITEM.name} expired before it was paid, so you were not charged.`).waitFor();

  await page.getByRole("link", { name: `Buy ${ITEM.name} again` }).click();
  await page.waitForURL(`**/items/${ITEM.slug}#buy`);
  await page.getByRole("form", { name: "Buy as a guest" }).waitFor();
  await context.close();
});
