import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { assertViteBuild, launchChromium, newContext } from "../scripts/lib/browser.mjs";
import { eventually } from "../scripts/lib/eventually";
import { expectStatus, plazaApi } from "../scripts/lib/plaza-api";
import { startPlazaWithStripe } from "../scripts/lib/stripe-emulator.mjs";
import { WAIT } from "../scripts/lib/wait-budgets.mjs";
import type { OrgT } from "../shared/api";
import type { ConnectStatus } from "../shared/payments";

type ConnectStatusT = typeof ConnectStatus._output;

const RUN = Date.now().toString(36);
const ITEM = { slug: `bank-notes-${RUN}`, name: "Bank Notes", pricing: { model: "one_time", amount: 1200, currency: "usd" } } as const;
const author = { name: "Grace Hopper", email: `grace-${RUN}@example.com`, password: "compiler a-0 1952", token: "" };

let stack: Awaited<ReturnType<typeof startPlazaWithStripe>>;
const { api, signUpAndLogIn, publishItem } = plazaApi(() => stack.url);
let browser: Browser;
let orgId: string;
let accountId: string;
const pageErrors: string[] = [];

/** The emulator: its test-control routes, and its API with any test key (to find the org's account). */
async function emulator(path: string, body?: unknown) {
  const res = await fetch(`${stack.stripe.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${stack.stripeApiKey}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status, `${path}: ${res.status}`).toBe(200);
  return res.json();
}

const connectStatus = async () => (await api<ConnectStatusT>("GET", `/v1/orgs/${orgId}/connect`, undefined, author.token)).body;

async function publishPaidItem() {
  await publishItem(
    author.token,
    orgId,
    { slug: ITEM.slug, name: ITEM.name, summary: "Ledgers", description: "Paid item.", pricing: ITEM.pricing },
    { version: "1.0.0", changelog: "First" },
  );
}

async function newPage(): Promise<Page> {
  const context = await newContext(browser, { baseURL: stack.url, viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(String(err)));
  return page;
}

beforeAll(async () => {
  assertViteBuild();
  stack = await startPlazaWithStripe();
  browser = await launchChromium();
  author.token = await signUpAndLogIn(author);
  const org = await api<OrgT>("POST", "/v1/orgs", { name: "Hopper Ledgers", slug: `hopper-${RUN}` }, author.token);
  expectStatus(org, 201, "create org");
  orgId = org.body.id;
  await publishPaidItem();
  // First onboarding through the API and the emulator's hosted form (the browser's part is in payments.test.ts).
  const link = await api<{ url: string }>("POST", `/v1/orgs/${orgId}/connect/onboarding`, undefined, author.token);
  expectStatus(link, 201, "onboarding link");
  expect((await fetch(`${link.body.url}/complete`, { method: "POST", redirect: "manual" })).status).toBe(303);
  await eventually("charges enabled", async () => ((await connectStatus()).chargesEnabled ? true : undefined));
  const accounts = (await emulator("/v1/accounts?limit=100")) as { data: { id: string; metadata: Record<string, string> }[] };
  accountId = accounts.data.find((a) => a.metadata.plaza_org_id === orgId)!.id;
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

test("a failed payout and a disconnection show on Payouts; the item is off sale on the storefront until Reconnect", async () => {
  await emulator(`/_emulator/accounts/${accountId}/payouts`, { outcome: "failed", failure_code: "account_closed" });
  await eventually("payout problem recorded", async () => (await connectStatus()).payoutProblem ?? undefined);

  const page = await newPage();
  await page.goto("/login?next=%2Fdashboard%2Fpayouts");
  await page.getByLabel("E-mail").fill(author.email);
  await page.getByLabel("Password").fill(author.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL("**/dashboard/payouts");
  await page.getByRole("alert").filter({ hasText: "Payouts need attention: The bank account has been closed." }).waitFor();

  await emulator(`/_emulator/accounts/${accountId}/deauthorize`, {});
  await eventually("disconnection recorded", async () => ((await connectStatus()).disconnected ? true : undefined));
  await page.reload();
  await page.getByRole("alert").filter({ hasText: "Disconnected from Stripe — reconnect." }).waitFor();
  await page.getByTestId("payouts-summary").filter({ hasText: "its paid items are off sale" }).waitFor();

  // The studio's items list says so too, with the way back.
  await page.goto("/dashboard/items");
  await page.getByRole("alert").filter({ hasText: "Disconnected from Stripe: your paid items are not available for purchase." }).waitFor();
  await page.getByRole("link", { name: "Reconnect on Payouts" }).click();
  await page.waitForURL("**/dashboard/payouts");
  await page.getByRole("alert").filter({ hasText: "Disconnected from Stripe — reconnect." }).waitFor();

  const shopper = await newPage();
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
  await page.getByText("Payouts are set up: Hopper Ledgers can now sell paid items.").waitFor(afterWebhooks());
  expect(await page.getByText("Disconnected from Stripe").count()).toBe(0);
  expect(await page.getByText("Payouts need attention").count()).toBe(0);
  await shopper.reload();
  await shopper.getByRole("link", { name: `Buy ${ITEM.name}` }).waitFor();
  expect(pageErrors).toEqual([]);
});

function afterWebhooks() {
  return { timeout: WAIT.backgroundWork };
}
