/**
 * Payments in a real browser, on one payments stack (Plaza's `wrangler dev` beside the Stripe
 * emulator) and one Chromium shared by every describe: starting them takes most of a file's time.
 * Each describe has its own people, org and item (names unique in the shared stack) and its own setup.
 * Only the last (the billing portal) advances the emulator's clock, which moves every subscription's
 * time: keep it last, so no describe after it sees a month pass.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { assertViteBuild, launchChromium, newContext } from "../scripts/lib/browser.mjs";
import { eventually } from "../scripts/lib/eventually";
import { makeOperator } from "../scripts/lib/operators.mjs";
import { expectStatus, plazaApi } from "../scripts/lib/plaza-api";
import { startPlazaWithStripe } from "../scripts/lib/stripe-emulator.mjs";
import { WAIT } from "../scripts/lib/wait-budgets.mjs";
import { openDisputeOn, payHostedCheckout, seedConnectOnboarding } from "../scripts/seed-payments.mjs";
import type { OrgT } from "../shared/api";
import type { DisputeT } from "../shared/disputes";
import type { ConnectStatus, SubscriptionT } from "../shared/payments";

type ConnectStatusT = typeof ConnectStatus._output;

const RUN = Date.now().toString(36);
interface Person {
  name: string;
  email: string;
  password: string;
  token: string;
}

let stack: Awaited<ReturnType<typeof startPlazaWithStripe>>;
const { api, signUpAndLogIn, publishItem, completeOnboarding } = plazaApi(() => stack.url);
let browser: Browser;
/** The current test's page errors and browser contexts (closed after it, so no page outlives its test). */
const pageErrors: string[] = [];
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  assertViteBuild();
  stack = await startPlazaWithStripe();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

beforeEach(() => {
  pageErrors.length = 0;
});

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()));
});

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser, { baseURL: stack.url, viewport: { width: 1200, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(String(err)));
  return { context, page };
}

/** Logs `person` in through the login form and lands on `path`. */
async function logIn(page: Page, person: { email: string; password: string }, path: string) {
  await page.goto(`/login?next=${encodeURIComponent(path)}`);
  await page.getByLabel("E-mail").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(`**${path}`);
}

async function openAs(person: Person, path: string): Promise<{ context: BrowserContext; page: Page }> {
  const opened = await newPage();
  await logIn(opened.page, person, path);
  return opened;
}

/** The emulator: its Stripe API with any test key (Stripe's calls as Plaza's SDK makes them), and its test-control routes. */
async function stripeApi<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${stack.stripe.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${stack.stripeApiKey}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status, `${method} ${path}: ${res.status}`).toBe(200);
  return (await res.json()) as T;
}

/** An author who can sell: signed up, an org, `item` published with a first version, Connect onboarded. @returns the org's id */
async function openShop(
  author: { name: string; email: string; password: string; token: string },
  org: { name: string; slug: string },
  item: { slug: string; name: string; summary: string; pricing: object },
): Promise<string> {
  author.token = await signUpAndLogIn(author);
  const created = await api<OrgT>("POST", "/v1/orgs", org, author.token);
  expectStatus(created, 201, "create org");
  await publishItem(
    author.token,
    created.body.id,
    { slug: item.slug, name: item.name, summary: item.summary, description: "Paid item.", pricing: item.pricing },
    { version: "1.0.0", changelog: "First" },
  );
  await completeOnboarding(author.token, created.body.id);
  return created.body.id;
}

/**
 * A checkout that is never paid: a guest starts buying from the storefront, leaves the hosted
 * checkout page, and Stripe expires the session. The success link (the page keeps refreshing itself
 * while the checkout is open) then says the checkout expired and nothing was charged, and offers to
 * buy again. Setup (sign-up, org, item, onboarding) and Stripe's expiry go through the APIs; what the
 * buyer sees and clicks goes through Chromium.
 */
describe("checkout lifecycle", () => {
  const ITEM = { slug: `tide-tables-${RUN}`, name: "Tide Tables", pricing: { model: "one_time", amount: 1400, currency: "usd" } } as const;
  const author = { name: "Marie Tharp", email: `marie-${RUN}@example.com`, password: "mid-atlantic ridge 1957", token: "" };

  beforeAll(async () => {
    await openShop(author, { name: "Tharp Charts", slug: `tharp-${RUN}` }, { ...ITEM, summary: "Tides" });
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
});

describe("connect problems", () => {
  const ITEM = { slug: `bank-notes-${RUN}`, name: "Bank Notes", pricing: { model: "one_time", amount: 1200, currency: "usd" } } as const;
  const author = { name: "Grace Hopper", email: `grace-${RUN}@example.com`, password: "compiler a-0 1952", token: "" };
  let orgId: string;
  let accountId: string;

  const connectStatus = async () => (await api<ConnectStatusT>("GET", `/v1/orgs/${orgId}/connect`, undefined, author.token)).body;

  beforeAll(async () => {
    orgId = await openShop(author, { name: "Hopper Ledgers", slug: `hopper-${RUN}` }, { ...ITEM, summary: "Ledgers" });
    const accounts = await stripeApi<{ data: { id: string; metadata: Record<string, string> }[] }>("GET", "/v1/accounts?limit=100");
    accountId = accounts.data.find((a) => a.metadata.plaza_org_id === orgId)!.id;
  });

  test("a failed payout and a disconnection show on Payouts; the item is off sale on the storefront until Reconnect", async () => {
    await stripeApi("POST", `/_emulator/accounts/${accountId}/payouts`, { outcome: "failed", failure_code: "account_closed" });
    await eventually("payout problem recorded", async () => (await connectStatus()).payoutProblem ?? undefined);

    const { page } = await openAs(author, "/dashboard/payouts");
    await page.getByRole("alert").filter({ hasText: "Payouts need attention: The bank account has been closed." }).waitFor();

    await stripeApi("POST", `/_emulator/accounts/${accountId}/deauthorize`, {});
    await eventually("disconnection recorded", async () => ((await connectStatus()).disconnected ? true : undefined));
    await page.reload();
    await page.getByRole("alert").filter({ hasText: "Disconnected from Stripe — reconnect." }).waitFor();
    await page.getByTestId("payouts-summary").filter({ hasText: "its paid items are off sale" }).waitFor();

    // The studio's items list says so too, with the way back.
    await page.goto("/dashboard/items");
    await page
      .getByRole("alert")
      .filter({ hasText: "Disconnected from Stripe: your paid items are not available for purchase." })
      .waitFor();
    await page.getByRole("link", { name: "Reconnect on Payouts" }).click();
    await page.waitForURL("**/dashboard/payouts");
    await page.getByRole("alert").filter({ hasText: "Disconnected from Stripe — reconnect." }).waitFor();

    const { page: shopper } = await newPage();
    const itemPage = await shopper.goto(`/items/${ITEM.slug}`);
    expect(itemPage?.status()).toBe(200);
    const buyBox = shopper.getByRole("complementary", { name: "Buy this item" });
    await buyBox.getByText("Not available for purchase right now.").waitFor();
    expect(await buyBox.getByRole("link", { name: `Buy ${ITEM.name}` }).count()).toBe(0);

    // Reconnect: Stripe's hosted onboarding for a new account, back on Payouts, on sale again.
    await page.getByRole("button", { name: "Reconnect to Stripe" }).click();
    await page.waitForURL(new RegExp(`^${stack.stripe.url}/connect/onboarding/`));
    await page.getByRole("button", { name: "Complete onboarding" }).click();
    await page.waitForURL("**/dashboard/payouts?return=1");
    await page.getByText("Payouts are set up: Hopper Ledgers can now sell paid items.").waitFor({ timeout: WAIT.backgroundWork });
    expect(await page.getByText("Disconnected from Stripe").count()).toBe(0);
    expect(await page.getByText("Payouts need attention").count()).toBe(0);
    await shopper.reload();
    await shopper.getByRole("link", { name: `Buy ${ITEM.name}` }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});

/**
 * Disputes: a buyer's bank disputes a purchase; the author finds it under Open disputes on Earnings
 * with its deadline and the link to respond in Stripe, the buyer's license key shows Disputed on
 * Purchases; the dispute is won, and it leaves Open disputes while the key is Active again. Setup
 * (accounts, org, onboarding, the item, the purchase, the bank's dispute) goes through the API and the emulator.
 */
describe("disputes", () => {
  const ITEM = { slug: `ink-well-${RUN}`, name: "Ink Well", pricing: { model: "one_time", amount: 2400, currency: "usd" } } as const;
  const author: Person = { name: "Ada Lovelace", email: `ada-${RUN}@example.com`, password: "analytical engine 1843", token: "" };
  const buyer: Person = { name: "Charles Babbage", email: `charles-${RUN}@example.com`, password: "difference engine 1822", token: "" };
  let orgId: string;
  let checkoutId: string;

  const openDisputes = async () =>
    (await api<{ data: DisputeT[] }>("GET", `/v1/orgs/${orgId}/disputes?state=open`, undefined, author.token)).body.data;

  beforeAll(async () => {
    author.token = await signUpAndLogIn(author);
    buyer.token = await signUpAndLogIn(buyer);
    const org = await api<OrgT>("POST", "/v1/orgs", { name: "Lovelace Notes", slug: `lovelace-${RUN}` }, author.token);
    expectStatus(org, 201, "create org");
    orgId = org.body.id;
    await seedConnectOnboarding({ apiUrl: stack.url, email: author.email, password: author.password, orgSlug: `lovelace-${RUN}` });
    await publishItem(author.token, orgId, { ...ITEM, summary: "Notes on the engine", description: "Paid item." });
    const checkout = await api<{ checkoutId: string; url: string }>("POST", `/v1/items/${ITEM.slug}/checkout`, {}, buyer.token);
    expectStatus(checkout, 201, "checkout");
    checkoutId = checkout.body.checkoutId;
    await payHostedCheckout(checkout.body.url);
    await eventually("the order", async () => (await api<{ orderId: string | null }>("GET", `/v1/checkouts/${checkoutId}`)).body.orderId);
  });

  test("a disputed purchase: the author sees it under Open disputes with the deadline, the buyer's key is frozen; won, it leaves and the key is Active", async () => {
    const disputeId = await openDisputeOn({ stripeUrl: stack.stripe.url, checkoutId, reason: "product_not_received" });
    const [recorded] = await eventually("the dispute recorded", async () =>
      (await openDisputes()).length > 0 ? openDisputes() : undefined,
    );
    expect(recorded).toMatchObject({ id: disputeId, amount: 2400, status: "needs_response" });

    const studio = await openAs(author, "/dashboard/earnings");
    const open = studio.page.getByRole("region", { name: "Open disputes" });
    const row = open.getByRole("row").filter({ hasText: ITEM.name });
    await row.getByText("$24.00").waitFor();
    await row.getByText("product not received").waitFor();
    // As the page writes dates: the browser's locale and time zone.
    const deadline = await studio.page.evaluate(
      (ms) => new Intl.DateTimeFormat(undefined, { dateStyle: "medium" }).format(new Date(ms)),
      recorded!.evidenceDueBy!,
    );
    await row.getByText(deadline).waitFor();
    expect(await row.getByRole("link", { name: "Respond in Stripe" }).getAttribute("href")).toBe(
      `https://dashboard.stripe.com/test/disputes/${disputeId}`,
    );
    await studio.page.getByRole("region", { name: "Ledger" }).getByText("Dispute fee").waitFor();

    const purchases = await openAs(buyer, "/dashboard/purchases");
    const license = purchases.page.getByRole("region", { name: "Licenses" }).getByRole("article", { name: ITEM.name });
    await license.getByText("Disputed", { exact: true }).waitFor();

    const won = await fetch(`${stack.stripe.url}/_emulator/disputes/${disputeId}/close`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ status: "won" }),
    });
    expect(won.status).toBe(200);
    await eventually("the dispute won", async () => ((await openDisputes()).length === 0 ? true : undefined));
    await studio.page.reload();
    await studio.page.getByRole("region", { name: "Open disputes" }).getByText("No open disputes.").waitFor({ timeout: WAIT.step });
    await purchases.page.reload();
    await license.getByText("Active", { exact: true }).waitFor({ timeout: WAIT.step });
    await studio.context.close();
    await purchases.context.close();
    expect(pageErrors).toEqual([]);
  });
});

/**
 * Coupons: the author creates a 20 % code on the studio's Coupons tab; a buyer types it (in lower
 * case, after a wrong one is refused under the field) on the buy page, pays the discounted price on
 * the emulator's hosted page, and sees the discount on the order in Purchases; the author sees the
 * sale with the fee taken from the discounted price on Earnings, the code used once, and deactivates
 * it. Setup (sign-ups, org, item, onboarding) goes through the API; what the people do goes through Chromium.
 */
describe("coupons", () => {
  const SCREENSHOTS = "/tmp/plaza-coupons";
  const ITEM = { slug: `star-atlas-${RUN}`, name: "Star Atlas", pricing: { model: "one_time", amount: 2500, currency: "usd" } } as const;
  const CODE = `LAUNCH20-${RUN}`.toUpperCase();
  const author: Person = {
    name: "Annie Jump Cannon",
    email: `annie-${RUN}@example.com`,
    password: "harvard spectral classes 1901",
    token: "",
  };
  const buyer: Person = {
    name: "Henrietta Leavitt",
    email: `henrietta-${RUN}@example.com`,
    password: "cepheid period luminosity",
    token: "",
  };
  let itemId: string;

  const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    author.token = await signUpAndLogIn(author);
    const org = await api<OrgT>("POST", "/v1/orgs", { name: "Cannon Catalogues", slug: `cannon-${RUN}` }, author.token);
    expectStatus(org, 201, "create org");
    await seedConnectOnboarding({ apiUrl: stack.url, email: author.email, password: author.password, orgSlug: `cannon-${RUN}` });
    itemId = await publishItem(
      author.token,
      org.body.id,
      { slug: ITEM.slug, name: ITEM.name, summary: "Every star to magnitude 9", description: "Paid demo item.", pricing: ITEM.pricing },
      { version: "1.0.0", changelog: "First release" },
    );
    buyer.token = await signUpAndLogIn(buyer);
  });

  test("a 20 % code made in the studio takes $5.00 off: the buyer pays $20.00, the order shows the discount and the fee is taken from $20.00", async () => {
    // The author creates the code on the item's Coupons tab.
    const { context: authorContext, page: studio } = await openAs(author, `/dashboard/items/${itemId}/coupons`);
    const form = studio.getByRole("form", { name: "New code" });
    await form.getByLabel("Code").fill(CODE);
    await form.getByLabel("Percent off").fill("20");
    await form.getByLabel("Times it can be used").fill("5");
    await form.getByRole("button", { name: "Create code" }).click();
    const codeRow = studio.getByRole("row").filter({ hasText: CODE });
    await codeRow.getByText("20 % off").waitFor();
    await codeRow.getByText("Active").waitFor();
    await shot(studio, "1-code-created");

    // The buyer: a wrong code is refused under the field; the right one, typed in lower case, opens the discounted checkout.
    const { context: buyerContext, page } = await openAs(buyer, `/buy/${ITEM.slug}`);
    await page.getByLabel("Have a code?").fill("NOT-A-CODE");
    await page.getByRole("button", { name: "Continue to payment" }).click();
    await page.getByText("This code does not exist for this item").waitFor();
    await shot(page, "2-code-refused");
    await page.getByLabel("Have a code?").fill(CODE.toLowerCase());
    await page.getByRole("button", { name: "Continue to payment" }).click();
    await page.waitForURL(new RegExp(`^${stack.stripe.url}/checkout/cs_test_`));
    await page.getByText("20.00 USD").waitFor();
    await page.getByRole("button", { name: "Pay" }).click();
    await page.getByRole("heading", { level: 1, name: "Thank you!" }).waitFor({ timeout: WAIT.backgroundWork });

    await page.goto("/dashboard/purchases");
    const order = page.getByRole("region", { name: "Orders" }).getByRole("row").filter({ hasText: ITEM.name });
    await order.getByText("$20.00").waitFor();
    await order.getByText(`${CODE} −$5.00`).waitFor();
    await shot(page, "3-purchase-with-discount");
    await buyerContext.close();

    // The author: the sale at $20.00 with the fee on it (10 % + $0.30 = $2.30), the code used once, then deactivated.
    await studio.goto("/dashboard/earnings");
    const sale = studio.getByRole("row").filter({ hasText: buyer.email });
    await sale.getByText(`${CODE} −$5.00`).waitFor();
    expect(await sale.getByText("$2.30").count()).toBe(1);
    await shot(studio, "4-earnings");
    await studio.goto(`/dashboard/items/${itemId}/coupons`);
    await codeRow.getByText("1 of 5").waitFor();
    await codeRow.getByRole("button", { name: `Deactivate ${CODE}` }).click();
    await codeRow.getByText("Inactive").waitFor();
    await shot(studio, "5-deactivated");
    await authorContext.close();
    expect(pageErrors).toEqual([]);
  });
});

/**
 * Plan changes: the author also offers their monthly item yearly from the studio's Details tab; a
 * buyer subscribes monthly from the buy page, then on Purchases switches to yearly (the confirm names
 * the new price) and sees the new plan and its renewal a year on; the prorated invoice arrives as an
 * order. Setup (accounts, org, onboarding, the published item) goes through the API; what people do, through Chromium.
 */
describe("plan change", () => {
  const ITEM = {
    slug: `star-catalogue-${RUN}`,
    name: "Star Catalogue",
    pricing: { model: "subscription", amount: 1200, currency: "usd", interval: "month" },
  } as const;
  const author: Person = {
    name: "Williamina Fleming",
    email: `williamina-${RUN}@example.com`,
    password: "oh be a fine girl 1901",
    token: "",
  };
  const buyer: Person = { name: "Antonia Maury", email: `antonia-${RUN}@example.com`, password: "cepheid periods 1912", token: "" };
  let itemId: string;

  beforeAll(async () => {
    author.token = await signUpAndLogIn(author);
    buyer.token = await signUpAndLogIn(buyer);
    const org = await api<OrgT>("POST", "/v1/orgs", { name: "Harvard Computers", slug: `harvard-${RUN}` }, author.token);
    expectStatus(org, 201, "create org");
    await seedConnectOnboarding({ apiUrl: stack.url, email: author.email, password: author.password, orgSlug: `harvard-${RUN}` });
    itemId = await publishItem(author.token, org.body.id, { ...ITEM, summary: "Every star, classified", description: "Paid item." });
  });

  test("the author also offers the monthly item yearly; a buyer subscribes monthly and switches to yearly on Purchases", async () => {
    const studio = await openAs(author, `/dashboard/items/${itemId}/details`);
    const details = studio.page.getByRole("form", { name: "Item details" });
    await details.getByLabel("Also yearly at (optional)").fill("120");
    await details.getByRole("button", { name: "Save changes" }).click();
    await studio.page.locator(".toast").getByText("Details saved.").waitFor();
    await studio.context.close();

    const { context, page } = await openAs(buyer, `/buy/${ITEM.slug}`);
    await page.getByRole("heading", { level: 1, name: `Subscribe to ${ITEM.name}` }).waitFor();
    await page.getByText("$12.00 / month or $120.00 / year").waitFor();
    const billing = page.getByRole("group", { name: "Billing" });
    expect(await billing.getByLabel("Monthly: $12.00 / month").isChecked()).toBe(true);
    await page.getByRole("button", { name: "Continue to payment" }).click();
    await page.waitForURL(new RegExp(`^${stack.stripe.url}/checkout/cs_test_`));
    await page.getByRole("button", { name: "Pay" }).click();
    await page.getByRole("heading", { level: 1, name: "Thank you!" }).waitFor({ timeout: WAIT.backgroundWork });
    await page.getByRole("link", { name: "See your purchases" }).click();

    const subscription = page.getByRole("region", { name: "Subscriptions" }).getByRole("row").filter({ hasText: ITEM.name });
    await subscription.getByText("$12.00 / month").waitFor();
    let confirmed = "";
    page.once("dialog", (dialog) => {
      confirmed = dialog.message();
      void dialog.accept();
    });
    await subscription.getByRole("button", { name: "Switch to yearly" }).click();
    await subscription.getByText("$120.00 / year").waitFor();
    await subscription.getByRole("button", { name: "Switch to monthly" }).waitFor();
    // The confirm names the new price and what Stripe's preview says is charged now (the year less the unused month).
    expect(confirmed).toMatch(/yearly billing at \$120\.00 \/ year\? You pay \$1\d\d\.\d\d now/);
    const [switched] = (await api<{ data: SubscriptionT[] }>("GET", "/v1/me/subscriptions", undefined, buyer.token)).body.data;
    expect(switched).toMatchObject({ plan: { interval: "year", amount: 12000 }, status: "active" });
    // A new yearly period from today: the renewal shown is a year away.
    expect(switched!.currentPeriodEnd).toBeGreaterThan(Date.now() + 360 * 86_400_000);
    await subscription.getByText(new RegExp(`^Renews .*${new Date(switched!.currentPeriodEnd).getUTCFullYear()}`)).waitFor();

    // The prorated invoice (the year less the unused month) arrives through Stripe's webhook as an order.
    await eventually("the switch's order", async () => {
      const { body } = await api<{ data: unknown[] }>("GET", "/v1/me/orders", undefined, buyer.token);
      return body.data.length === 2 ? true : undefined;
    });
    await page.reload();
    await page.getByRole("region", { name: "Orders" }).getByRole("row").filter({ hasText: ITEM.name }).nth(1).waitFor();
    await context.close();
    expect(pageErrors).toEqual([]);
  });
});

/**
 * The operator console's Orders page on a paid order: an operator finds it by the buyer's e-mail,
 * refunds part of it through the Refund dialog, revokes the buyer's entitlement and grants the item
 * again, each with a reason. Setup (accounts, item, onboarding, the purchase) goes through the APIs.
 */
describe("operator orders", () => {
  const ITEM = { slug: `slide-rule-${RUN}`, name: "Slide Rule", pricing: { model: "one_time", amount: 3000, currency: "usd" } } as const;
  const author: Person = { name: "Edmund Gunter", email: `edmund-${RUN}@example.com`, password: "logarithmic scale 1620", token: "" };
  const buyer: Person = { name: "William Oughtred", email: `william-${RUN}@example.com`, password: "circles of proportion", token: "" };
  const operator: Person = { name: "Olive Operator", email: `olive-${RUN}@example.com`, password: "keeps the plaza tidy", token: "" };

  beforeAll(async () => {
    [author.token, buyer.token, operator.token] = await Promise.all([
      signUpAndLogIn(author),
      signUpAndLogIn(buyer),
      signUpAndLogIn(operator),
    ]);
    await makeOperator(stack.plaza.persistTo, operator.email);
    const org = await api<OrgT>("POST", "/v1/orgs", { name: "Gunter Instruments", slug: `gunter-${RUN}` }, author.token);
    expectStatus(org, 201, "create org");
    await seedConnectOnboarding({ apiUrl: stack.url, email: author.email, password: author.password, orgSlug: `gunter-${RUN}` });
    await publishItem(author.token, org.body.id, { ...ITEM, summary: "Multiplies by sliding", description: "Paid item." });
    const checkout = await api<{ checkoutId: string; url: string }>("POST", `/v1/items/${ITEM.slug}/checkout`, {}, buyer.token);
    expectStatus(checkout, 201, "checkout");
    await payHostedCheckout(checkout.body.url);
    await eventually(
      "the order",
      async () => (await api<{ orderId: string | null }>("GET", `/v1/checkouts/${checkout.body.checkoutId}`)).body.orderId,
    );
  });

  test("an operator finds the order by e-mail, refunds part of it, revokes the entitlement and grants the item again", async () => {
    const { page } = await openAs(operator, `/operator/orders?q=${encodeURIComponent(buyer.email)}`);
    const order = page.getByRole("article", { name: /^Order ord_/ });
    await order.getByText(ITEM.name).first().waitFor();

    await order.getByRole("button", { name: /^Refund order / }).click();
    const refund = page.getByRole("dialog", { name: "Refund a sale" });
    await refund.getByLabel("Amount").fill("10.00");
    await refund.getByLabel("Reason").fill("Arrived without its cursor");
    await refund.getByRole("button", { name: "Refund" }).click();
    await page.getByText("Refund of $10.00 requested.").waitFor();
    await eventually("the partial refund on the order", async () => {
      await page.reload();
      await order.waitFor();
      return (await order.getByText("Partly refunded").count()) > 0 ? true : undefined;
    });

    const entitlements = order.getByRole("table", { name: /^Entitlements of order/ });
    await entitlements.getByRole("button", { name: `Revoke ${ITEM.name}` }).click();
    const revoke = page.getByRole("dialog", { name: `Revoke ${ITEM.name}` });
    await revoke.getByLabel("Reason").fill("Chargeback fraud ring");
    await revoke.getByRole("button", { name: "Revoke" }).click();
    await page.getByText(`${ITEM.name} is revoked from ${buyer.email}.`).waitFor();
    await entitlements.getByText("revoked", { exact: true }).waitFor();

    await order.getByRole("button", { name: `Grant ${ITEM.name}` }).click();
    const grant = page.getByRole("dialog", { name: `Grant ${ITEM.name}` });
    await grant.getByLabel("Reason").fill("Cleared after review");
    await grant.getByRole("button", { name: "Grant" }).click();
    await page.getByText(`${ITEM.name} is granted to ${buyer.email}.`).waitFor();
    await entitlements.getByText("grant", { exact: true }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});

/**
 * A past-due subscriber fixes their card: Purchases says the renewal failed, Update payment method
 * opens Stripe's billing portal, where the buyer enters a working card and pays the open invoice,
 * then returns to Purchases and the subscription is active again. Setup (accounts, item, onboarding,
 * subscribing, the failing card and the clock passing the renewal) goes through the APIs.
 */
describe("billing portal (last: it advances the emulator's clock)", () => {
  const ITEM = {
    slug: `spectral-charts-${RUN}`,
    name: "Spectral Charts",
    pricing: { model: "subscription", amount: 900, currency: "usd", interval: "month" },
  } as const;
  const author = { name: "Cecilia Payne", email: `cecilia-${RUN}@example.com`, password: "stellar atmospheres 1925", token: "" };
  const buyer = { name: "Maria Mitchell", email: `maria-${RUN}@example.com`, password: "comet hunter 1847", token: "" };
  const subscription = async () =>
    (await api<{ data: SubscriptionT[] }>("GET", "/v1/me/subscriptions", undefined, buyer.token)).body.data.find(
      (s) => s.itemName === ITEM.name,
    );

  beforeAll(async () => {
    buyer.token = await signUpAndLogIn(buyer);
    await openShop(author, { name: "Payne Spectra", slug: `payne-${RUN}` }, { ...ITEM, summary: "Charts" });

    // Subscribed, then the card starts failing and the renewal a month on is declined: past due.
    const checkout = await api<{ url: string }>("POST", `/v1/items/${ITEM.slug}/checkout`, {}, buyer.token);
    expectStatus(checkout, 201, "checkout");
    expect((await fetch(`${checkout.body.url}/pay`, { method: "POST", redirect: "manual" })).status).toBe(303);
    await eventually("the subscription", async () => ((await subscription())?.status === "active" ? true : undefined));
    const customers = await stripeApi<{ data: { id: string }[] }>("GET", `/v1/customers?email=${encodeURIComponent(buyer.email)}`);
    await stripeApi("POST", `/_emulator/customers/${customers.data[0]!.id}/payment_behavior`, { fail: true });
    await stripeApi("POST", "/_emulator/clock/advance", { seconds: 31 * 86_400 });
    await eventually("past due", async () => ((await subscription())?.status === "past_due" ? true : undefined));
  });

  test("a past-due buyer updates the card and pays on Stripe's billing portal; back on Purchases the subscription is active", async () => {
    const { page } = await openAs(buyer, "/dashboard/purchases");
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
    // The app has signed in again (its refresh rotated the session cookie) before the reload below:
    // a reload that cut that refresh short would replay the old cookie, which ends the session.
    await subscriptions.getByRole("row").filter({ hasText: ITEM.name }).waitFor();

    // Stripe's events reach Plaza through its queue: the page shows the state it loaded, so reload once it is in.
    await eventually("active again", async () => ((await subscription())?.status === "active" ? true : undefined));
    await page.reload();
    const row = subscriptions.getByRole("row").filter({ hasText: ITEM.name });
    await row.getByText("Active").waitFor({ timeout: WAIT.step });
    await row.getByText(/^Renews /).waitFor();
    expect(await subscriptions.getByRole("alert").count()).toBe(0);
    // The renewal is an order now: the first month and the one just paid.
    await page.getByRole("region", { name: "Orders" }).getByRole("row").filter({ hasText: ITEM.name }).nth(1).waitFor();
    expect(pageErrors).toEqual([]);
  });
});
