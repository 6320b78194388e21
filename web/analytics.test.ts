/**
 * The Analytics page in a real browser (Plaza and the Stripe emulator on their own `wrangler dev`):
 * an author has their Analytics page open while a buyer, in a second browser context, buys their
 * item through Stripe's hosted checkout; the author's totals, Sales chart table and chart follow
 * without a reload (the page asks again every few seconds while visible), so does the header's
 * notification bell, the Analytics CSV has the day's sale, and the Earnings page's Export CSV downloads a ledger that names the order.
 * uPlot draws under the app's CSP: the page reports no violation. Setup goes through the API.
 */
import { readFile } from "node:fs/promises";
import type { Browser, BrowserContext, Download, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { assertViteBuild, launchChromium, newContext } from "../scripts/lib/browser.mjs";
import { logInWhenAsked } from "../scripts/lib/log-in";
import { expectStatus, plazaApi } from "../scripts/lib/plaza-api";
import { startPlazaWithStripe } from "../scripts/lib/stripe-emulator.mjs";
import { WAIT } from "../scripts/lib/wait-budgets.mjs";
import type { OrgT } from "../shared/api";

const RUN = Date.now().toString(36);
const ITEM = { slug: `star-atlas-${RUN}`, name: "Star Atlas", pricing: { model: "one_time", amount: 1900, currency: "usd" } } as const;
const ORG_NAME = "Herschel Optics";
const author = { name: "Caroline Herschel", email: `caroline-${RUN}@example.com`, password: "eight comets found 1786", token: "" };
const buyer = { name: "Maria Mitchell", email: `maria-${RUN}@example.com`, password: "miss mitchells comet 1847", token: "" };

let stack: Awaited<ReturnType<typeof startPlazaWithStripe>>;
const { api, signUpAndLogIn, publishItem, completeOnboarding } = plazaApi(() => stack.url);
let browser: Browser;
let orgId: string;
const pageErrors: string[] = [];
const cspViolations: string[] = [];

beforeAll(async () => {
  assertViteBuild();
  stack = await startPlazaWithStripe();
  browser = await launchChromium();
  [author.token, buyer.token] = await Promise.all([signUpAndLogIn(author), signUpAndLogIn(buyer)]);
  const org = await api<OrgT>("POST", "/v1/orgs", { name: ORG_NAME, slug: `herschel-${RUN}` }, author.token);
  expectStatus(org, 201, "create org");
  orgId = org.body.id;
  await publishItem(
    author.token,
    orgId,
    { slug: ITEM.slug, name: ITEM.name, summary: "Every star", description: "Paid item.", pricing: ITEM.pricing },
    { version: "1.0.0", changelog: "First" },
  );
  await completeOnboarding(author.token, orgId);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function openContext(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser, { baseURL: stack.url, viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  await context.exposeBinding("plazaCspViolation", (_source, v: string) => void cspViolations.push(v));
  await context.addInitScript(() => {
    addEventListener("securitypolicyviolation", (e) =>
      (window as unknown as { plazaCspViolation: (v: string) => void }).plazaCspViolation(`${e.effectiveDirective} ${e.blockedURI}`),
    );
  });
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(String(err)));
  return { context, page };
}

const downloaded = async (download: Download) => readFile(await download.path(), "utf8");

test("a sale made in a second browser shows on the open Analytics page without a reload, in its CSV, and in the ledger's CSV export", async () => {
  const today = new Date().toISOString().slice(0, 10);
  const { context: authorContext, page } = await openContext();
  await page.goto("/dashboard/analytics");
  await logInWhenAsked(page, author, "/dashboard/analytics");
  await page.getByRole("heading", { level: 1, name: `Analytics · ${ORG_NAME}` }).waitFor();
  await page.getByRole("button", { name: "7 days" }).click();
  expect(await page.getByRole("button", { name: "7 days" }).getAttribute("aria-pressed")).toBe("true");
  const grossSales = page
    .locator("dl.analytics-totals > div")
    .filter({ has: page.locator("dt", { hasText: /^Gross sales$/ }) })
    .locator("dd");
  await expect.poll(() => grossSales.textContent()).toBe("$0.00");
  // The chart is uPlot's canvas (hidden from screen readers); its table holds the same numbers, a row per day.
  const salesFigure = page.getByRole("figure", { name: "Sales" });
  await salesFigure.locator("canvas").waitFor({ state: "attached" });
  const salesTable = salesFigure.getByRole("table", { name: "Sales" });
  await expect.poll(() => salesTable.getByRole("row").count()).toBe(8); // the header and 7 days
  const todayRow = salesTable.locator(`tr[data-day="${today}"]`);
  expect(await todayRow.getByRole("cell").first().textContent()).toBe("$0.00");

  // The buyer, in a browser of their own.
  const { context: buyerContext, page: buyerPage } = await openContext();
  // Gone if the author's page were reloaded: the sale must arrive without one.
  await page.evaluate(() => Object.assign(window, { plazaNotReloaded: true }));
  await buyerPage.goto(`/buy/${ITEM.slug}`);
  await logInWhenAsked(buyerPage, buyer, `/buy/${ITEM.slug}`);
  await buyerPage.getByRole("button", { name: "Continue to payment" }).click();
  await buyerPage.waitForURL(new RegExp(`^${stack.stripe.url}/checkout/cs_test_`));
  await buyerPage.getByRole("button", { name: "Pay" }).click();
  await buyerPage.waitForURL(/\/checkout\/success\?checkout=chk_/);
  await buyerContext.close();

  // The author's page, untouched since: the sale arrives in the totals and in today's row.
  await grossSales.filter({ hasText: "$19.00" }).waitFor({ timeout: WAIT.backgroundWork });
  await todayRow.getByRole("cell").first().filter({ hasText: "$19.00" }).waitFor();
  // The header's bell has the sale too (it arrives over the notification stream).
  await page.getByRole("button", { name: "Notifications, 1 unread" }).waitFor({ timeout: WAIT.backgroundWork });
  expect(await page.evaluate(() => "plazaNotReloaded" in window)).toBe(true);

  const [analyticsCsv] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download CSV" }).click()]);
  const analyticsLines = (await downloaded(analyticsCsv)).trim().split(/\r?\n/);
  expect(analyticsLines[0]!.split(",")).toEqual(expect.arrayContaining(["day", "grossSales", "netSales"]));
  const header = analyticsLines[0]!.split(",");
  const todayLine = analyticsLines.find((line) => line.startsWith(today))!.split(",");
  expect(todayLine[header.indexOf("grossSales")]).toBe("1900");

  // The ledger's CSV export from Earnings names the order.
  const orders = await api<{ data: { id: string }[] }>("GET", `/v1/orgs/${orgId}/orders`, undefined, author.token);
  const orderId = orders.body.data[0]!.id;
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Earnings" }).click();
  await page.getByRole("region", { name: "Ledger" }).getByText(orderId).first().waitFor();
  const [ledgerCsv] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
  expect(ledgerCsv.suggestedFilename()).toBe(`plaza-ledger-herschel-${RUN}-${today}.csv`);
  const ledger = await downloaded(ledgerCsv);
  expect(ledger.split("\r\n")[0]).toBe("date,type,amount,currency,order_id,reference");
  expect(ledger).toContain(`,sale,19.00,USD,${orderId},sale:${orderId}`);

  await authorContext.close();
  expect(cspViolations).toEqual([]);
  expect(pageErrors).toEqual([]);
});
