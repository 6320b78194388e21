/**
 * Plan changes in a real browser (Plaza and the Stripe emulator on their own `wrangler dev`): the
 * author also offers their monthly item yearly from the studio's Details tab; a buyer subscribes
 * monthly from the buy page, then on Purchases switches to yearly (the confirm names the new price)
 * and sees the new plan and its renewal a year on; the prorated invoice arrives as an order. Setup
 * (accounts, org, onboarding, the published item) goes through the API; what people do, through Chromium.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { assertViteBuild, launchChromium, newContext } from "../scripts/lib/browser.mjs";
import { eventually } from "../scripts/lib/eventually";
import { expectStatus, plazaApi } from "../scripts/lib/plaza-api";
import { startPlazaWithStripe } from "../scripts/lib/stripe-emulator.mjs";
import { WAIT } from "../scripts/lib/wait-budgets.mjs";
import { seedConnectOnboarding } from "../scripts/seed-payments.mjs";
import type { OrgT } from "../shared/api";
import type { SubscriptionT } from "../shared/payments";

const RUN = Date.now().toString(36);
const ITEM = {
  slug: `star-atlas-${RUN}`,
  name: "Star Atlas",
  pricing: { model: "subscription", amount: 1200, currency: "usd", interval: "month" },
} as const;
interface Person {
  name: string;
  email: string;
  password: string;
  token: string;
}
const author: Person = { name: "Annie Jump Cannon", email: `annie-${RUN}@example.com`, password: "oh be a fine girl 1901", token: "" };
const buyer: Person = { name: "Henrietta Leavitt", email: `henrietta-${RUN}@example.com`, password: "cepheid periods 1912", token: "" };

let stack: Awaited<ReturnType<typeof startPlazaWithStripe>>;
const { api, signUpAndLogIn, publishItem } = plazaApi(() => stack.url);
let browser: Browser;
let itemId: string;
const pageErrors: string[] = [];

async function openAs(person: Person, path: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser, { baseURL: stack.url, viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(String(err)));
  await page.goto(`/login?next=${encodeURIComponent(path)}`);
  await page.getByLabel("E-mail").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Log in" }).click();
  return { context, page };
}

beforeAll(async () => {
  assertViteBuild();
  stack = await startPlazaWithStripe();
  browser = await launchChromium();
  author.token = await signUpAndLogIn(author);
  buyer.token = await signUpAndLogIn(buyer);
  const org = await api<OrgT>("POST", "/v1/orgs", { name: "Harvard Computers", slug: `harvard-${RUN}` }, author.token);
  expectStatus(org, 201, "create org");
  await seedConnectOnboarding({ apiUrl: stack.url, email: author.email, password: author.password, orgSlug: `harvard-${RUN}` });
  itemId = await publishItem(author.token, org.body.id, { ...ITEM, summary: "Every star, classified", description: "Paid item." });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
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
