/**
 * Coupons in a real browser, on the payments stack (`wrangler dev` beside the Stripe emulator): the
 * author creates a 20 % code on the studio's Coupons tab; a buyer types it (in lower case, after a
 * wrong one is refused under the field) on the buy page, pays the discounted price on the emulator's
 * hosted page, and sees the discount on the order in Purchases; the author sees the sale with the
 * fee taken from the discounted price on Earnings, the code used once, and deactivates it. Setup
 * (sign-ups, org, item, onboarding) goes through the API; what the people do goes through Chromium.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { assertViteBuild, launchChromium, newContext } from "../scripts/lib/browser.mjs";
import { expectStatus, plazaApi } from "../scripts/lib/plaza-api";
import { startPlazaWithStripe } from "../scripts/lib/stripe-emulator.mjs";
import { WAIT } from "../scripts/lib/wait-budgets.mjs";
import { seedConnectOnboarding } from "../scripts/seed-payments.mjs";
import type { OrgT } from "../shared/api";

const SCREENSHOTS = "/tmp/plaza-coupons";
const RUN = Date.now().toString(36);
const ITEM = { slug: `star-atlas-${RUN}`, name: "Star Atlas", pricing: { model: "one_time", amount: 2500, currency: "usd" } } as const;
const CODE = `LAUNCH20-${RUN}`.toUpperCase();
const author = { name: "Annie Jump Cannon", email: `annie-${RUN}@example.com`, password: "harvard spectral classes 1901" };
const buyer = { name: "Henrietta Leavitt", email: `henrietta-${RUN}@example.com`, password: "cepheid period luminosity" };

let stack: Awaited<ReturnType<typeof startPlazaWithStripe>>;
const { api, signUpAndLogIn, publishItem } = plazaApi(() => stack.url);
let browser: Browser;
let itemId: string;
const pageErrors: string[] = [];

const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser, { baseURL: stack.url, viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(String(err)));
  return { context, page };
}

/** `path` through the login form it redirects to. */
async function openAs(page: Page, person: { email: string; password: string }, path: string) {
  await page.goto(path);
  await page.getByLabel("E-mail").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(`**${path}`);
}

beforeAll(async () => {
  assertViteBuild();
  mkdirSync(SCREENSHOTS, { recursive: true });
  stack = await startPlazaWithStripe();
  browser = await launchChromium();
  const token = await signUpAndLogIn(author);
  const org = await api<OrgT>("POST", "/v1/orgs", { name: "Cannon Catalogues", slug: `cannon-${RUN}` }, token);
  expectStatus(org, 201, "create org");
  await seedConnectOnboarding({ apiUrl: stack.url, email: author.email, password: author.password, orgSlug: `cannon-${RUN}` });
  itemId = await publishItem(
    token,
    org.body.id,
    { slug: ITEM.slug, name: ITEM.name, summary: "Every star to magnitude 9", description: "Paid demo item.", pricing: ITEM.pricing },
    { version: "1.0.0", changelog: "First release" },
  );
  await signUpAndLogIn(buyer);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

test("a 20 % code made in the studio takes $5.00 off: the buyer pays $20.00, the order shows the discount and the fee is taken from $20.00", async () => {
  // The author creates the code on the item's Coupons tab.
  const { context: authorContext, page: studio } = await newPage();
  await openAs(studio, author, `/dashboard/items/${itemId}/coupons`);
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
  const { context: buyerContext, page } = await newPage();
  await openAs(page, buyer, `/buy/${ITEM.slug}`);
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
