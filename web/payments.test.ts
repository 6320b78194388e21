import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { assertViteBuild, launchChromium, newContext } from "../scripts/lib/browser.mjs";
import { eventually } from "../scripts/lib/eventually";
import { expectStatus, plazaApi } from "../scripts/lib/plaza-api";
import { startPlazaWithStripe } from "../scripts/lib/stripe-emulator.mjs";
import { WAIT } from "../scripts/lib/wait-budgets.mjs";
import type { OrgT } from "../shared/api";
import type { MyEntitlementT } from "../shared/catalog";
import type { SubscriptionT } from "../shared/payments";

const SCREENSHOTS = "/tmp/plaza-payments";
const RUN = Date.now().toString(36);
const ONE_TIME = {
  slug: `loom-patterns-${RUN}`,
  name: "Loom Patterns",
  pricing: { model: "one_time", amount: 1900, currency: "usd" },
} as const;
const SUBSCRIPTION = {
  slug: `engine-updates-${RUN}`,
  name: "Engine Updates",
  pricing: { model: "subscription", amount: 900, currency: "usd", interval: "month" },
} as const;

interface Person {
  name: string;
  email: string;
  password: string;
  token?: string;
}
const author: Person = { name: "Ada Lovelace", email: `ada-${RUN}@example.com`, password: "analytical engine 1843" };
const buyer: Person = { name: "Charles Babbage", email: `charles-${RUN}@example.com`, password: "difference engine 1822" };
/** Has an account, but buys without signing in (the guest form). */
const guest: Person = { name: "Mary Somerville", email: `mary-${RUN}@example.com`, password: "connexion of sciences" };

let stack: Awaited<ReturnType<typeof startPlazaWithStripe>>;
const { api, signUpAndLogIn, publishItem } = plazaApi(() => stack.url);
let browser: Browser;
let orgId: string;
const pageErrors: string[] = [];

/** Signs up, verifies through the dev mailbox's link, logs in (API): sets `person.token`. */
async function signUp(person: Person) {
  person.token = await signUpAndLogIn(person);
}

/** A published paid item of the author's org (create, upload a version, publish). */
async function publishPaidItem(item: typeof ONE_TIME | typeof SUBSCRIPTION) {
  return publishItem(
    author.token!,
    orgId,
    { slug: item.slug, name: item.name, summary: `${item.name} for your looms`, description: "Paid **demo** item.", pricing: item.pricing },
    { version: "1.0.0", changelog: "First release" },
  );
}

const itemIds: Record<string, string> = {};

async function newPage(options: { javaScriptEnabled?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser, { baseURL: stack.url, viewport: { width: 1200, height: 900 }, ...options });
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(String(err)));
  return { context, page };
}

/** The web app's login form, arrived at through a `?next=` redirect or directly. */
async function logIn(page: Page, person: Person) {
  await page.getByLabel("E-mail").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Log in" }).click();
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
/** For a step that waits on Stripe's webhooks: the emulator sends them, Plaza's queue consumer makes the order and the ledger entries. */
const afterWebhooks = { timeout: WAIT.backgroundWork };
const hostedCheckout = () => new RegExp(`^${stack.stripe.url}/checkout/cs_test_`);

/** On the emulator's hosted checkout page: Pay, then Stripe's redirect to the success page. */
async function payOnHostedPage(page: Page) {
  await page.waitForURL(hostedCheckout());
  await page.getByRole("heading", { name: /Test checkout/ }).waitFor();
  await page.getByRole("button", { name: "Pay" }).click();
  await page.waitForURL(/\/checkout\/success\?checkout=chk_/);
}

beforeAll(async () => {
  assertViteBuild();
  mkdirSync(SCREENSHOTS, { recursive: true });
  stack = await startPlazaWithStripe();
  browser = await launchChromium();
  await Promise.all([signUp(author), signUp(buyer), signUp(guest)]);
  const org = await api<OrgT>("POST", "/v1/orgs", { name: "Lovelace Looms", slug: `lovelace-${RUN}` }, author.token);
  expectStatus(org, 201, "create org");
  orgId = org.body.id;
  itemIds[ONE_TIME.slug] = await publishPaidItem(ONE_TIME);
  itemIds[SUBSCRIPTION.slug] = await publishPaidItem(SUBSCRIPTION);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("payments", () => {
  test("before payouts are set up a guest is told so; the author onboards through Stripe's hosted page (saving half way, then a refreshed link)", async () => {
    const { context: guestContext, page: guestPage } = await newPage({ javaScriptEnabled: false });
    await guestPage.goto(`/items/${ONE_TIME.slug}`);
    const guestForm = guestPage.getByRole("form", { name: "Buy as a guest" });
    await guestForm.getByLabel("Or as a guest: your e-mail").fill(guest.email);
    await guestForm.getByRole("button", { name: "Continue to payment" }).click();
    await guestPage.getByRole("alert").filter({ hasText: "Lovelace Looms cannot take payments yet" }).waitFor();
    expect(await guestForm.getByLabel("Or as a guest: your e-mail").inputValue()).toBe(guest.email);
    await shot(guestPage, "1-charges-disabled");
    await guestContext.close();

    const { context, page } = await newPage();
    await page.goto("/dashboard/payouts");
    await page.waitForURL(/\/login\?next=%2Fdashboard%2Fpayouts/);
    await logIn(page, author);
    await page.waitForURL("**/dashboard/payouts");
    await page.getByRole("heading", { level: 1, name: "Payouts · Lovelace Looms" }).waitFor();
    await page.getByTestId("payouts-summary").filter({ hasText: "has no Stripe account yet" }).waitFor();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Earnings" }).waitFor();
    await shot(page, "2-payouts-before");

    const onboardingPage = new RegExp(`^${stack.stripe.url}/connect/onboarding/`);
    await page.getByRole("button", { name: "Set up payouts" }).click();
    await page.waitForURL(onboardingPage);
    // Leaving half way: back on Payouts, which offers to continue.
    await page.getByRole("button", { name: "Save and exit" }).click();
    await page.waitForURL("**/dashboard/payouts?return=1");
    await page.getByText("Onboarding is not finished yet.").waitFor();
    await page.getByRole("button", { name: "Continue onboarding" }).waitFor();
    // Stripe sends an author whose link expired (or was used) to refresh_url: a fresh link, straight on.
    await page.goto("/dashboard/payouts?refresh=1");
    await page.waitForURL(onboardingPage);
    await page.getByRole("button", { name: "Complete onboarding" }).click();
    await page.waitForURL("**/dashboard/payouts?return=1");
    await page.getByText("Payouts are set up: Lovelace Looms can now sell paid items.").waitFor();
    await page.getByTestId("payouts-summary").filter({ hasText: "can take payments" }).waitFor();
    await shot(page, "3-payouts-done");
    const connect = await api("GET", `/v1/orgs/${orgId}/connect`, undefined, author.token);
    expect(connect.body).toMatchObject({ connected: true, chargesEnabled: true, detailsSubmitted: true });

    await page.getByRole("button", { name: "Open Stripe dashboard" }).click();
    await page.waitForURL(new RegExp(`^${stack.stripe.url}/connect/express/`));
    await page.getByRole("heading", { name: /Express dashboard/ }).waitFor();
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  test("a guest buys with JavaScript off: item page → guest form → hosted checkout → Pay → success page; the buyer owns it", async () => {
    const { context, page } = await newPage({ javaScriptEnabled: false });
    await page.goto(`/items/${ONE_TIME.slug}`);
    await page.getByRole("complementary", { name: "Buy this item" }).getByText("$19.00").waitFor();
    const guestForm = page.getByRole("form", { name: "Buy as a guest" });
    await guestForm.getByLabel("Or as a guest: your e-mail").fill(guest.email);
    await guestForm.getByRole("button", { name: "Continue to payment" }).click();
    await payOnHostedPage(page);
    // The order exists once Plaza has processed Stripe's webhook; the page refreshes itself until then.
    await page.getByRole("heading", { level: 1, name: "Thank you!" }).waitFor(afterWebhooks);
    await page.getByText(`Your purchase of ${ONE_TIME.name} is complete.`).waitFor();
    await page.getByText("$19.00").waitFor();
    await shot(page, "4-guest-success");
    await context.close();

    const entitlements = await api<{ data: MyEntitlementT[] }>("GET", "/v1/me/entitlements", undefined, guest.token);
    expect(entitlements.body.data).toContainEqual(
      expect.objectContaining({ itemId: itemIds[ONE_TIME.slug], source: "purchase", status: "active" }),
    );
  });

  test("a signed-in buyer: Buy → login → buy page → hosted checkout → Pay → success → Purchases", async () => {
    const { context, page } = await newPage();
    await page.goto(`/items/${ONE_TIME.slug}`);
    await page.getByRole("link", { name: `Buy ${ONE_TIME.name}` }).click();
    await page.waitForURL(/\/login\?next=%2Fbuy%2F/);
    await logIn(page, buyer);
    await page.waitForURL(`**/buy/${ONE_TIME.slug}`);
    await page.getByRole("heading", { level: 1, name: `Buy ${ONE_TIME.name}` }).waitFor();
    await shot(page, "5-buy-page");
    await page.getByRole("button", { name: "Continue to payment" }).click();
    await payOnHostedPage(page);
    await page.getByRole("heading", { level: 1, name: "Thank you!" }).waitFor(afterWebhooks);
    await page.getByRole("link", { name: "See your purchases" }).click();
    await page.waitForURL("**/dashboard/purchases");
    const order = page.getByRole("region", { name: "Orders" }).getByRole("row").filter({ hasText: ONE_TIME.name });
    await order.getByText("Paid").waitFor();
    await order.getByText("$19.00").waitFor();
    await shot(page, "6-purchases");

    const entitlements = await api<{ data: MyEntitlementT[] }>("GET", "/v1/me/entitlements", undefined, buyer.token);
    expect(entitlements.body.data).toContainEqual(
      expect.objectContaining({ itemId: itemIds[ONE_TIME.slug], source: "purchase", status: "active" }),
    );

    // Buying it again is refused, readably, on the buy page.
    await page.goto(`/buy/${ONE_TIME.slug}`);
    await page.getByRole("button", { name: "Continue to payment" }).click();
    await page.getByText("You already own this item.").waitFor();
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  test("the buyer subscribes, cancels at period end and resumes on Purchases", async () => {
    const { context, page } = await newPage();
    await page.goto(`/login?next=${encodeURIComponent(`/buy/${SUBSCRIPTION.slug}`)}`);
    await logIn(page, buyer);
    await page.getByRole("heading", { level: 1, name: `Subscribe to ${SUBSCRIPTION.name}` }).waitFor();
    await page.getByText("$9.00 / month").waitFor();
    await page.getByRole("button", { name: "Continue to payment" }).click();
    await payOnHostedPage(page);
    await page.getByRole("heading", { level: 1, name: "Thank you!" }).waitFor(afterWebhooks);
    await page.getByText("$9.00 / month").waitFor();
    await page.getByRole("link", { name: "See your purchases" }).click();

    const subscription = page.getByRole("region", { name: "Subscriptions" }).getByRole("row").filter({ hasText: SUBSCRIPTION.name });
    await subscription.getByText(/^Renews /).waitFor();
    page.once("dialog", (dialog) => void dialog.accept());
    await subscription.getByRole("button", { name: "Cancel at period end" }).click();
    await subscription.getByText(/^Ends /).waitFor();
    await shot(page, "7-subscription-canceling");
    const [canceled] = (await api<{ data: SubscriptionT[] }>("GET", "/v1/me/subscriptions", undefined, buyer.token)).body.data;
    expect(canceled).toMatchObject({ itemSlug: SUBSCRIPTION.slug, status: "active", cancelAtPeriodEnd: true });

    await subscription.getByRole("button", { name: "Resume" }).click();
    await subscription.getByText(/^Renews /).waitFor();
    const [resumed] = (await api<{ data: SubscriptionT[] }>("GET", "/v1/me/subscriptions", undefined, buyer.token)).body.data;
    expect(resumed).toMatchObject({ cancelAtPeriodEnd: false });
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  test("the author sees the sales on Earnings and refunds the guest's order", async () => {
    const { context, page } = await newPage();
    await page.goto("/login?next=%2Fdashboard%2Fearnings");
    await logIn(page, author);
    await page.getByRole("heading", { level: 1, name: "Earnings · Lovelace Looms" }).waitFor();
    // Two one-time sales and the first month of the subscription.
    await page.getByRole("row").filter({ hasText: "USD" }).getByText("$47.00").waitFor(afterWebhooks);
    const orders = page.getByRole("region", { name: "Orders" });
    const guestOrder = orders.getByRole("row").filter({ hasText: guest.email });
    await guestOrder.getByText("Paid").waitFor();
    await page.getByRole("region", { name: "Ledger" }).getByRole("cell", { name: "Platform fee" }).first().waitFor(afterWebhooks);
    await shot(page, "8-earnings");

    await guestOrder.getByRole("button", { name: /^Refund order / }).click();
    const dialog = page.getByRole("dialog", { name: "Refund a sale" });
    await dialog.getByLabel("Reason").fill("Bought by mistake");
    await dialog.getByRole("button", { name: "Refund" }).click();
    await page.getByText("Refund of $19.00 requested.").waitFor();
    // Stripe confirms the refund by webhook; reload until the order shows it.
    await eventually(
      "the guest's order to show as refunded",
      async () => {
        await page.reload();
        await guestOrder.waitFor();
        return (await guestOrder.getByText("Refunded", { exact: true }).count()) > 0;
      },
      { intervalMs: 250 },
    );
    await shot(page, "9-refunded");

    const entitlements = await api<{ data: MyEntitlementT[] }>("GET", "/v1/me/entitlements", undefined, guest.token);
    const revoked = entitlements.body.data.find((e) => e.itemId === itemIds[ONE_TIME.slug]);
    expect(revoked?.status ?? "gone").not.toBe("active");
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  test("a refund Stripe later reports failed: the order row says so with the reason, and the buyer keeps the item", async () => {
    const { context, page } = await newPage();
    await page.goto("/login?next=%2Fdashboard%2Fearnings");
    await logIn(page, author);
    const buyerOrder = page
      .getByRole("region", { name: "Orders" })
      .getByRole("row")
      .filter({ hasText: buyer.email })
      .filter({ hasText: ONE_TIME.name });
    await buyerOrder.getByRole("button", { name: /^Refund order / }).click();
    const dialog = page.getByRole("dialog", { name: "Refund a sale" });
    await dialog.getByLabel("Reason").fill("Asked for by the buyer");
    await dialog.getByRole("button", { name: "Refund" }).click();
    await page.getByText("Refund of $19.00 requested.").waitFor();
    const reloadUntil = (what: string, text: string) =>
      eventually(
        what,
        async () => {
          await page.reload();
          await buyerOrder.waitFor();
          return (await buyerOrder.getByText(text, { exact: true }).count()) > 0;
        },
        { intervalMs: 250 },
      );
    await reloadUntil("the refund to show as refunded", "$19.00 refunded");

    // Stripe reports later that the refund failed (as with its test card 4000000000005126): the emulator's control for it.
    const stripeRefunds = await fetch(`${stack.stripe.url}/v1/refunds?limit=1`, {
      headers: { authorization: `Bearer ${stack.stripeApiKey}` },
    });
    const [made] = ((await stripeRefunds.json()) as { data: { id: string; amount: number }[] }).data;
    expect(made?.amount).toBe(1900);
    const settled = await fetch(`${stack.stripe.url}/_emulator/refunds/${made!.id}/settle`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ status: "failed", failure_reason: "expired_or_canceled_card" }),
    });
    expect(settled.status).toBe(200);
    await reloadUntil("the refund to show as failed", "$19.00 refund failed (expired or canceled card)");
    await buyerOrder.getByText("Paid", { exact: true }).waitFor();
    await shot(page, "10-refund-failed");

    const entitlements = await api<{ data: MyEntitlementT[] }>("GET", "/v1/me/entitlements", undefined, buyer.token);
    expect(entitlements.body.data.find((e) => e.itemId === itemIds[ONE_TIME.slug])?.status).toBe("active");
    await context.close();
    expect(pageErrors).toEqual([]);
  });
});
