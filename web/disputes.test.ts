/**
 * Disputes in a real browser (Plaza and the Stripe emulator on their own `wrangler dev`): a buyer's
 * bank disputes a purchase; the author finds it under Open disputes on Earnings with its deadline
 * and the link to respond in Stripe, the buyer's license key shows Disputed on Purchases; the
 * dispute is won, and it leaves Open disputes while the key is Active again. Setup (accounts, org,
 * onboarding, the item, the purchase, the bank's dispute) goes through the API and the emulator.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { assertViteBuild, launchChromium, newContext } from "../scripts/lib/browser.mjs";
import { eventually } from "../scripts/lib/eventually";
import { expectStatus, plazaApi } from "../scripts/lib/plaza-api";
import { startPlazaWithStripe } from "../scripts/lib/stripe-emulator.mjs";
import { WAIT } from "../scripts/lib/wait-budgets.mjs";
import { openDisputeOn, payHostedCheckout, seedConnectOnboarding } from "../scripts/seed-payments.mjs";
import type { OrgT } from "../shared/api";
import type { DisputeT } from "../shared/disputes";

const RUN = Date.now().toString(36);
const ITEM = { slug: `ink-well-${RUN}`, name: "Ink Well", pricing: { model: "one_time", amount: 2400, currency: "usd" } } as const;
interface Person {
  name: string;
  email: string;
  password: string;
  token: string;
}
const author: Person = { name: "Ada Lovelace", email: `ada-${RUN}@example.com`, password: "analytical engine 1843", token: "" };
const buyer: Person = { name: "Charles Babbage", email: `charles-${RUN}@example.com`, password: "difference engine 1822", token: "" };

let stack: Awaited<ReturnType<typeof startPlazaWithStripe>>;
const { api, signUpAndLogIn, publishItem } = plazaApi(() => stack.url);
let browser: Browser;
let orgId: string;
let checkoutId: string;
const pageErrors: string[] = [];

async function openAs(person: Person, path: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser, { baseURL: stack.url, viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(String(err)));
  await page.goto(`/login?next=${encodeURIComponent(path)}`);
  await page.getByLabel("E-mail").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(`**${path}`);
  return { context, page };
}

const openDisputes = async () =>
  (await api<{ data: DisputeT[] }>("GET", `/v1/orgs/${orgId}/disputes?state=open`, undefined, author.token)).body.data;

beforeAll(async () => {
  assertViteBuild();
  stack = await startPlazaWithStripe();
  browser = await launchChromium();
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

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

test("a disputed purchase: the author sees it under Open disputes with the deadline, the buyer's key is frozen; won, it leaves and the key is Active", async () => {
  const disputeId = await openDisputeOn({ stripeUrl: stack.stripe.url, checkoutId, reason: "product_not_received" });
  const [recorded] = await eventually("the dispute recorded", async () => ((await openDisputes()).length > 0 ? openDisputes() : undefined));
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
  await studio.page.getByRole("region", { name: "Latest ledger entries" }).getByText("Dispute fee").waitFor();

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
