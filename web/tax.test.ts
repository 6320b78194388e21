/**
 * Sales tax in a real browser (Plaza with `TAX_COLLECTION=automatic` and the Stripe emulator on their
 * own `wrangler dev`): a buyer in Germany pays on the hosted checkout page, which asks for the
 * billing country and a tax id, and finds 19 % VAT on the order in Purchases and on the receipt in
 * the dev mailbox; the author sees the tax on the sale and in Earnings. A subscription is taxed the
 * same way: its order in Purchases shows the VAT. Setup (sign-up, org, item,
 * onboarding) goes through the API; what the buyer and the author see and click goes through Chromium.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, test } from "vitest";
import { assertViteBuild, launchChromium, newContext } from "../scripts/lib/browser.mjs";
import { eventually } from "../scripts/lib/eventually";
import { expectStatus, plazaApi } from "../scripts/lib/plaza-api";
import { startPlazaWithStripe } from "../scripts/lib/stripe-emulator.mjs";
import { WAIT } from "../scripts/lib/wait-budgets.mjs";
import type { OrgT } from "../shared/api";

const RUN = Date.now().toString(36);
const ITEM = { slug: `brush-set-${RUN}`, name: "Brush Set", pricing: { model: "one_time", amount: 1900, currency: "eur" } } as const;
const author = { name: "Albrecht Dürer", email: `albrecht-${RUN}@example.com`, password: "melencolia one 1514", token: "" };
const buyer = { name: "Käthe Kollwitz", email: `kaethe-${RUN}@example.com`, password: "weavers revolt 1897", token: "" };

let stack: Awaited<ReturnType<typeof startPlazaWithStripe>>;
const { api, signUpAndLogIn, publishItem, completeOnboarding } = plazaApi(() => stack.url);
let browser: Browser;
let orgId: string;

beforeAll(async () => {
  assertViteBuild();
  stack = await startPlazaWithStripe({ vars: { TAX_COLLECTION: "automatic" } });
  browser = await launchChromium();
  [author.token, buyer.token] = await Promise.all([signUpAndLogIn(author), signUpAndLogIn(buyer)]);
  const org = await api<OrgT>("POST", "/v1/orgs", { name: "Dürer Graphics", slug: `duerer-${RUN}` }, author.token);
  expectStatus(org, 201, "create org");
  orgId = org.body.id;
  await publishItem(
    author.token,
    orgId,
    { slug: ITEM.slug, name: ITEM.name, summary: "Brushes", description: "Paid item.", pricing: ITEM.pricing },
    { version: "1.0.0", changelog: "First" },
  );
  await completeOnboarding(author.token, orgId);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function logIn(page: Page, person: { email: string; password: string }) {
  await page.getByLabel("E-mail").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Log in" }).click();
}

test("a buyer in Germany pays 19 % VAT on top: Purchases and the receipt show it, and so do the author's Earnings", async () => {
  const context = await newContext(browser, { baseURL: stack.url, viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  await page.goto(`/login?next=${encodeURIComponent(`/buy/${ITEM.slug}`)}`);
  await logIn(page, buyer);
  await page.getByRole("heading", { level: 1, name: `Buy ${ITEM.name}` }).waitFor();
  await page.getByRole("button", { name: "Continue to payment" }).click();

  // Stripe's checkout asks where the buyer is, for the tax, and takes a VAT number.
  await page.waitForURL(new RegExp(`^${stack.stripe.url}/checkout/cs_test_`));
  await page.getByLabel("Billing country").selectOption("DE");
  await page.getByLabel("Tax ID (optional)").fill("DE811907980");
  await page.getByRole("button", { name: "Pay" }).click();
  await page.waitForURL(/\/checkout\/success\?checkout=chk_/);
  await page.getByRole("heading", { level: 1, name: "Thank you!" }).waitFor({ timeout: WAIT.backgroundWork });
  await page.getByText("€22.61").waitFor();
  await page.getByRole("link", { name: "See your purchases" }).click();
  const order = page.getByRole("region", { name: "Orders" }).getByRole("row").filter({ hasText: ITEM.name });
  await order.getByText("€22.61").waitFor();
  await order.getByText("incl. 19 % tax (DE) €3.61, tax ID DE811907980").waitFor();

  // The receipt, as the dev mailbox shows it once the mail consumer sent it.
  await eventually("the receipt to be sent", async () => {
    await page.goto("/dev/mailbox");
    const receipt = page.locator(`article[data-to="${buyer.email}"]`).filter({ hasText: `Your receipt for ${ITEM.name}` });
    return (await receipt.count()) > 0 && (await receipt.getByText("· sent").count()) > 0 ? true : undefined;
  });
  const receipt = page.locator(`article[data-to="${buyer.email}"]`).filter({ hasText: `Your receipt for ${ITEM.name}` });
  await receipt.getByText("Text version").click();
  await receipt.getByText("Subtotal €19.00, tax 19 % (DE) €3.61, total €22.61. Your tax ID: DE811907980.").waitFor();
  await context.close();

  // The author: the sale with its tax, and the tax in the balance apart from sales.
  const authorContext = await newContext(browser, { baseURL: stack.url, viewport: { width: 1200, height: 900 } });
  const authorPage = await authorContext.newPage();
  await authorPage.goto(`/login?next=${encodeURIComponent("/dashboard/earnings")}`);
  await logIn(authorPage, author);
  const sale = authorPage.getByRole("row").filter({ hasText: buyer.email });
  await sale.getByText("incl. 19 % tax (DE) €3.61").waitFor();
  const balance = authorPage.getByRole("row").filter({ hasText: "EUR" });
  await balance.getByRole("cell", { name: "€3.61" }).waitFor();
  await authorContext.close();
});

test("a subscriber in Germany pays 19 % VAT on the subscription: Purchases shows it on the subscription's order", async () => {
  const plan = {
    slug: `sketch-club-${RUN}`,
    name: "Sketch Club",
    pricing: { model: "subscription", amount: 1000, currency: "eur", interval: "month" },
  } as const;
  await publishItem(
    author.token,
    orgId,
    { slug: plan.slug, name: plan.name, summary: "Monthly sketches", description: "Subscription item.", pricing: plan.pricing },
    { version: "1.0.0", changelog: "First" },
  );
  const context = await newContext(browser, { baseURL: stack.url, viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  await page.goto(`/login?next=${encodeURIComponent(`/buy/${plan.slug}`)}`);
  await logIn(page, buyer);
  await page.getByRole("heading", { level: 1, name: `Subscribe to ${plan.name}` }).waitFor();
  await page.getByRole("button", { name: "Continue to payment" }).click();

  await page.waitForURL(new RegExp(`^${stack.stripe.url}/checkout/cs_test_`));
  await page.getByLabel("Billing country").selectOption("DE");
  await page.getByRole("button", { name: "Pay" }).click();
  await page.waitForURL(/\/checkout\/success\?checkout=chk_/);
  await page.getByRole("heading", { level: 1, name: "Thank you!" }).waitFor({ timeout: WAIT.backgroundWork });
  await page.getByRole("link", { name: "See your purchases" }).click();
  const order = page.getByRole("region", { name: "Orders" }).getByRole("row").filter({ hasText: plan.name });
  await order.getByText("€11.90").waitFor({ timeout: WAIT.backgroundWork });
  await order.getByText("incl. 19 % tax (DE) €1.90").waitFor();
  await context.close();
});
