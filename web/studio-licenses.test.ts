/**
 * The author studio's Licenses and Credits tabs and the buyer's usage on Purchases, in a real
 * browser, on the payments stack (`wrangler dev` beside the Stripe emulator): a buyer subscribes to
 * a metered item through Stripe's hosted checkout, which issues a license key. The author finds the
 * key by the buyer's e-mail, suspends it (the License API, called as a plugin would, answers
 * `suspended`), reinstates it and resets its activations; then finds the buyer on Credits and
 * grants them credits; the buyer sees usage and credits on Purchases. Every wait polls.
 */
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { assertViteBuild, launchChromium, newContext } from "../scripts/lib/browser.mjs";
import { eventually } from "../scripts/lib/eventually";
import { expectStatus, plazaApi } from "../scripts/lib/plaza-api";
import { startPlazaWithStripe } from "../scripts/lib/stripe-emulator.mjs";
import { seedConnectOnboarding } from "../scripts/seed-payments.mjs";
import type { OrgT } from "../shared/api";
import { type LicenseAnswerT, maskLicenseKey } from "../shared/licenses";

const SCREENSHOTS = "/tmp/plaza-studio-licenses";
const RUN = Date.now().toString(36);
const ITEM = {
  slug: `tide-tables-${RUN}`,
  name: "Tide Tables",
  pricing: { model: "metered", amount: 3, currency: "usd", unit: "lookup" },
} as const;
const author = { name: "Mary Anning", email: `mary-${RUN}@example.com`, password: "ichthyosaur cliffs 1811" };
const buyer = { name: "Henry De la Beche", email: `henry-${RUN}@example.com`, password: "duria antiquior 1830" };
/** The installation the plugin registers, as it would on the buyer's machine. */
const MACHINE = { fingerprint: "lyme-regis-laptop", name: "Lyme Regis laptop" };

let stack: Awaited<ReturnType<typeof startPlazaWithStripe>>;
const { api, signUpAndLogIn, publishItem } = plazaApi(() => stack.url);
let browser: Browser;
let itemId: string;
let buyerToken: string;
/** The key in full, as the success page showed it once: what the buyer typed into the plugin. */
let licenseKey: string;
const pageErrors: string[] = [];

const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
const _sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** The License API as a plugin calls it: the key and the item, nothing else. */
const validate = async (fingerprint?: string) => {
  const res = await api<LicenseAnswerT>("POST", "/v1/licenses/validate", { key: licenseKey, item: ITEM.slug, fingerprint });
  expectStatus(res, 200, "validate");
  return res.body;
};

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

/** The metered item, published by an author whose org can take payments. */
async function authorWithPaidItem() {
  const token = await signUpAndLogIn(author);
  const org = await api<OrgT>("POST", "/v1/orgs", { name: "Anning Fossils", slug: `anning-${RUN}` }, token);
  expectStatus(org, 201, "create org");
  await seedConnectOnboarding({ apiUrl: stack.url, email: author.email, password: author.password, orgSlug: `anning-${RUN}` });
  return publishItem(
    token,
    org.body.id,
    { slug: ITEM.slug, name: ITEM.name, summary: "Tides for fossil hunters", description: "Metered demo item.", pricing: ITEM.pricing },
    { version: "1.0.0", changelog: "First release" },
  );
}

/** The buyer subscribes: checkout, Pay on the emulator's hosted page (its form, as the browser posts it), and the key revealed once. */
async function subscribe(): Promise<string> {
  const checkout = await api<{ url: string; checkoutId: string }>("POST", `/v1/items/${ITEM.slug}/checkout`, {}, buyerToken);
  expectStatus(checkout, 201, "checkout");
  const paid = await fetch(`${checkout.body.url}/pay`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "",
  });
  await paid.arrayBuffer();
  expect(paid.status).toBe(303);
  return eventually("the subscription's license key", async () => {
    const status = await api<{ licenseKey: string | null }>("GET", `/v1/checkouts/${checkout.body.checkoutId}`, undefined, buyerToken);
    return status.body.licenseKey ?? undefined;
  });
}

beforeAll(async () => {
  assertViteBuild();
  mkdirSync(SCREENSHOTS, { recursive: true });
  stack = await startPlazaWithStripe();
  browser = await launchChromium();
  [itemId, buyerToken] = await Promise.all([authorWithPaidItem(), signUpAndLogIn(buyer)]);
  licenseKey = await subscribe();
  const activated = await api<LicenseAnswerT>("POST", "/v1/licenses/activate", { key: licenseKey, item: ITEM.slug, ...MACHINE });
  expect(activated.body).toMatchObject({ valid: true, code: "valid" });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("the author studio's Licenses and Credits", () => {
  test("Licenses: the author finds the key by the buyer's e-mail, suspends it (the License API says `suspended`), reinstates it and resets its activations", async () => {
    const masked = maskLicenseKey(licenseKey.slice(0, 4), licenseKey.slice(-4));
    const { context, page } = await newPage();
    await openAs(page, author, `/dashboard/items/${itemId}/licenses`);
    await page.getByRole("form", { name: "Key policy" }).getByLabel("Activations per key").waitFor();
    expect(await page.getByLabel("Key prefix").inputValue()).toBe(licenseKey.slice(0, 4));

    const keys = page.getByRole("region", { name: "Issued keys" });
    await keys.getByRole("searchbox", { name: "Search keys" }).fill(buyer.email.toUpperCase());
    await keys.getByRole("button", { name: "Search" }).click();
    const keyRow = keys.getByRole("row").filter({ hasText: buyer.email });
    await keyRow.getByText(masked).waitFor();
    await keyRow.getByText("1 of 3").waitFor();
    expect(await keys.getByRole("row").count()).toBe(2); // the header and the one key
    // The full key is nowhere on the page: only its last group.
    expect(await page.content()).not.toContain(licenseKey);
    await keyRow.getByRole("button", { name: `Manage ${masked}` }).click();

    const panel = keys.getByRole("article", { name: `Key ${masked}` });
    await panel.getByRole("row").filter({ hasText: MACHINE.name }).getByText(MACHINE.fingerprint).waitFor();
    await shot(page, "1-key");

    page.once("dialog", (dialog) => void dialog.accept());
    await panel.getByRole("button", { name: "Suspend" }).click();
    await panel.getByText("Suspended", { exact: true }).waitFor();
    await keyRow.getByText("Suspended", { exact: true }).waitFor();
    expect(await validate(MACHINE.fingerprint)).toMatchObject({ valid: false, code: "suspended", license: { status: "suspended" } });
    await shot(page, "2-suspended");

    await panel.getByRole("button", { name: "Reinstate" }).click();
    await panel.getByText("Active", { exact: true }).waitFor();
    expect(await validate(MACHINE.fingerprint)).toMatchObject({ valid: true, code: "valid" });

    page.once("dialog", (dialog) => void dialog.accept());
    await panel.getByRole("button", { name: "Reset activations" }).click();
    await panel.getByText("Not activated anywhere.").waitFor();
    await keyRow.getByText("0 of 3").waitFor();
    // The plugin must activate again.
    expect(await validate(MACHINE.fingerprint)).toMatchObject({ valid: false, code: "fingerprint_mismatch" });
    expect(await validate()).toMatchObject({ valid: true, code: "valid", license: { activations: 0 } });

    // The key's last group, as the buyer reads it out over the phone, finds it too.
    await keys.getByRole("searchbox", { name: "Search keys" }).fill(licenseKey.slice(-4).toLowerCase());
    await keys.getByRole("button", { name: "Search" }).click();
    await keys.getByRole("row").filter({ hasText: masked }).getByText("Active", { exact: true }).waitFor();
    await shot(page, "3-reset");
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  test("Credits: the author finds the buyer by e-mail and grants credits; the buyer sees them pay for usage on Purchases", async () => {
    const { context, page } = await newPage();
    await openAs(page, author, `/dashboard/items/${itemId}/credits`);
    const find = page.getByRole("form", { name: "Find a buyer" });
    await find.getByLabel("Buyer's e-mail").fill("nobody-subscribes@example.com");
    await find.getByRole("button", { name: "Find" }).click();
    await find.getByRole("alert").filter({ hasText: "Nobody with that e-mail address subscribes" }).waitFor();

    await find.getByLabel("Buyer's e-mail").fill(buyer.email);
    await find.getByRole("button", { name: "Find" }).click();
    const card = page.getByRole("article", { name: `Credits of ${buyer.email}` });
    await card.getByTestId("credit-balance").filter({ hasText: "0 lookups" }).waitFor();
    const grant = card.getByRole("form", { name: "Grant credits" });
    await grant.getByLabel("Credits to grant (one per lookup)").fill("25");
    await grant.getByLabel("Reason").fill("Launch week");
    await grant.getByRole("button", { name: "Grant credits" }).click();
    await card.getByTestId("credit-balance").filter({ hasText: "25 lookups" }).waitFor();
    await page.getByText(`Granted 25 lookups to ${buyer.email}.`).waitFor();
    await shot(page, "4-credits");
    await context.close();

    // The buyer's app reports usage; 25 of the 30 are paid from the credits.
    expectStatus(await api("POST", `/v1/items/${ITEM.slug}/usage`, { quantity: 30, key: `tides-${RUN}` }, buyerToken), 201, "usage");
    const buyerPage = await newPage();
    await openAs(buyerPage.page, buyer, "/dashboard/purchases");
    const usage = buyerPage.page.getByRole("region", { name: "Usage" }).getByRole("row").filter({ hasText: ITEM.name });
    for (const cell of ["30 lookups", "25 lookups", "5 lookups"]) await usage.getByText(cell, { exact: true }).waitFor();
    await usage.getByTestId("credits-left").filter({ hasText: "0 lookups" }).waitFor();
    await shot(buyerPage.page, "5-purchases-usage");
    await buyerPage.context.close();
    expect(pageErrors).toEqual([]);
  });
});
