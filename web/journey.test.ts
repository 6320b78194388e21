/**
 * The whole journey of issue #16 in Chromium, as people would take it, on the payments stack
 * (`wrangler dev` beside the Stripe emulator). The test makes no API call of its own: an author
 * signs up, verifies through the link in the dev mailbox, creates an org, creates a paid item in
 * the studio, gives it an icon and screenshots, uploads a version, publishes, and sets up payouts
 * on the emulator's hosted Connect page; the item is on the storefront and found by its search.
 * In a second browser a guest buys it on the emulator's hosted checkout, keeps the key the success
 * page shows, signs in with the e-mailed link and reviews the item from Purchases. The author
 * replies in the studio, the reply shows on the storefront, and the author suspends the buyer's
 * key: the License API, called as the buyer's app calls it, answers `suspended`.
 * Every wait is Playwright's auto-waiting or a poll.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { packFolder } from "../scripts/cli/pack.mjs";
import { assertViteBuild, launchChromium, newContext } from "../scripts/lib/browser.mjs";
import { eventually } from "../scripts/lib/eventually";
import { drawPng as png } from "../scripts/lib/png.mjs";
import { startPlazaWithStripe } from "../scripts/lib/stripe-emulator.mjs";
import { WAIT } from "../scripts/lib/wait-budgets.mjs";
import { type LicenseAnswerT, maskLicenseKey } from "../shared/licenses";

const SCREENSHOTS = "/tmp/plaza-journey";
const RUN = Date.now().toString(36);
const ORG = "Herschel Instruments";
const ITEM = { slug: `orrery-${RUN}`, name: "Orrery Almanac", summary: "Planetary positions for your telescope notes" };
const author = { name: "Caroline Herschel", email: `caroline-${RUN}@example.com`, password: "comets and nebulae 1786" };
/** Never signs up: the guest checkout makes their password-less account, named after the address. */
const buyerEmail = `william-${RUN}@example.com`;
const buyerName = `william-${RUN}`;
const REVIEW = "Every conjunction right to the minute.";
const REPLY = "Thank you! Eclipses come in 1.1.";

let stack: Awaited<ReturnType<typeof startPlazaWithStripe>>;
let browser: Browser;
let authorContext: BrowserContext;
let buyerContext: BrowserContext;
let authorPage: Page;
let buyerPage: Page;
/** The key in full, as the success page showed it once: what the buyer types into the app. */
let licenseKey: string;
const pageErrors: string[] = [];

/** The bundle as `plaza publish` packs it: plaza.json at the top and the entry module. */
async function bundle(version: string): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), "plaza-journey-bundle-"));
  const manifest = { name: ITEM.slug, version, entry: "dist/index.js", engines: { plaza: "^1.0.0" } };
  writeFileSync(join(dir, "plaza.json"), JSON.stringify(manifest, null, 2));
  mkdirSync(join(dir, "dist"));
  writeFileSync(join(dir, "dist/index.js"), `export default () => ${JSON.stringify(version)};\n`);
  return (await packFolder(dir)).bytes;
}

/** Every link to `path` e-mailed to `to` so far, as its reader finds them in the dev mailbox. */
async function mailedLinks(to: string, path: string): Promise<string[]> {
  const { data } = (await (await fetch(`${stack.url}/dev/mailbox.json`)).json()) as { data: { to: string; text: string }[] };
  const link = new RegExp(`https?://\\S+${path.replace(/[/?]/g, "\\$&")}\\?token=[^\\s"<>]+`);
  return data.filter((m) => m.to === to).flatMap((m) => link.exec(m.text)?.[0] ?? []);
}

/** A link to `path` e-mailed to `to` that is not among `known` (polled: the queue sends the mail). */
const newMailedLink = (to: string, path: string, known: string[] = []) =>
  eventually(`a new e-mail to ${to} with a ${path} link`, async () => (await mailedLinks(to, path)).find((l) => !known.includes(l)));

/** The License API as the buyer's app calls it: the key and the item. */
async function validate(): Promise<LicenseAnswerT> {
  const res = await fetch(`${stack.url}/v1/licenses/validate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ key: licenseKey, item: ITEM.slug }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as LicenseAnswerT;
}

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser, { baseURL: stack.url, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(String(err)));
  return { context, page };
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
/** A step that waits on Stripe's webhooks and Plaza's queue consumer. */
const afterWebhooks = { timeout: WAIT.backgroundWork };
const studioTab = (page: Page, name: string) => page.getByRole("navigation", { name: "Item" }).getByRole("link", { name }).click();

beforeAll(async () => {
  assertViteBuild();
  mkdirSync(SCREENSHOTS, { recursive: true });
  stack = await startPlazaWithStripe();
  browser = await launchChromium();
  ({ context: authorContext, page: authorPage } = await newPage());
  ({ context: buyerContext, page: buyerPage } = await newPage());
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

// One journey: each step starts where the one before left its browser.
describe("the whole journey, author and buyer", () => {
  test("the author signs up, verifies the e-mail, logs in and creates an org", async () => {
    const page = authorPage;
    await page.goto("/signup");
    await page.getByLabel("Name").fill(author.name);
    await page.getByLabel("E-mail").fill(author.email);
    await page.getByLabel("Password").fill(author.password);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByText("Check your e-mail.").waitFor();

    await page.goto(await newMailedLink(author.email, "/verify-email"));
    await page.getByRole("heading", { name: "E-mail verified" }).waitFor();
    await page.getByRole("link", { name: "Log in" }).click();
    expect(await page.getByLabel("E-mail").inputValue()).toBe(author.email);
    await page.getByLabel("Password").fill(author.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(/\/dashboard$/);

    await page.getByRole("heading", { name: "Create your first org" }).waitFor();
    await page.getByRole("main").getByLabel("Org name").fill(ORG);
    await page.getByRole("main").getByRole("button", { name: "Create org" }).click();
    await page.getByRole("heading", { level: 1, name: ORG }).waitFor();
    expect(pageErrors).toEqual([]);
  });

  test("the author creates a paid item with an icon and screenshots, uploads a version and publishes", async () => {
    const page = authorPage;
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Items" }).click();
    await page.getByRole("heading", { level: 1, name: `Items · ${ORG}` }).waitFor();
    await page.getByRole("button", { name: "New item" }).click();
    const form = page.getByRole("form", { name: "New item" });
    await form.getByLabel("Slug").fill(ITEM.slug);
    await form.getByLabel("Name").fill(ITEM.name);
    await form.getByLabel("Summary").fill(ITEM.summary);
    await form.getByLabel("Category").selectOption("productivity");
    await form.getByLabel("How it is sold").selectOption("one_time");
    await form.getByLabel("Amount").fill("24");
    await form.getByRole("button", { name: "Create draft" }).click();
    await page.waitForURL(/\/dashboard\/items\/itm_\w+\/details$/);
    await page.getByRole("heading", { level: 1, name: ITEM.name }).waitFor();
    await page.locator(".page-header .badge").getByText("Draft").waitFor();

    const details = page.getByRole("form", { name: "Item details" });
    await details.getByLabel(/^Description/).fill("## Tables\n\nThe **planets** for every night of the year.");
    await details.getByRole("button", { name: "Save changes" }).click();
    await page.locator(".toast").getByText("Details saved.").waitFor();

    await studioTab(page, "Media");
    await page.getByText("No icon yet").waitFor();
    await page.getByLabel("Upload an icon").setInputFiles({
      name: "orrery.png",
      mimeType: "image/png",
      buffer: png(256, 256, (x, y) => [(x * 255) / 256, 60, (y * 255) / 256]),
    });
    await page.getByText("Icon updated.").waitFor();
    await page.getByLabel("Add screenshots").setInputFiles([
      { name: "tables.png", mimeType: "image/png", buffer: png(800, 500, () => [20, 30, 90]) },
      { name: "chart.png", mimeType: "image/png", buffer: png(800, 500, (x) => [x % 256, 200, 120]) },
    ]);
    await page.getByText("2 screenshots added.").waitFor();
    await page.getByText("2 of 8.").waitFor();

    await studioTab(page, "Versions");
    const publish = page.getByRole("form", { name: "Publish a version" });
    await publish.getByLabel("Bundle (.tar.gz)").setInputFiles({
      name: `${ITEM.slug}-1.0.0.tar.gz`,
      mimeType: "application/gzip",
      buffer: await bundle("1.0.0"),
    });
    await publish.getByText(`${ITEM.slug}-1.0.0.tar.gz`).waitFor();
    await publish.getByLabel("Channel").selectOption("stable");
    await publish.getByLabel("Changelog").fill("First release: the inner planets.");
    await publish.getByRole("button", { name: "Publish version" }).click();
    await page.getByText("Published 1.0.0 to the stable channel.").waitFor();
    await page.getByRole("region", { name: "Stable channel" }).getByRole("row").filter({ hasText: "1.0.0" }).getByText("Live").waitFor();

    await studioTab(page, "Details");
    const status = page.getByRole("form", { name: "Status" });
    await status.getByText("Newest: 1.0.0 (stable).").waitFor();
    await status.getByRole("button", { name: "Publish" }).click();
    await page.locator(".toast").getByText("Published: it is on the storefront.").waitFor();
    await page.locator(".page-header .badge").getByText("Published").waitFor();
    await shot(page, "1-published");
    expect(pageErrors).toEqual([]);
  });

  test("the author sets up payouts on Stripe's hosted onboarding page", async () => {
    const page = authorPage;
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Payouts" }).click();
    await page.getByRole("heading", { level: 1, name: `Payouts · ${ORG}` }).waitFor();
    await page.getByRole("button", { name: "Set up payouts" }).click();
    await page.waitForURL(new RegExp(`^${stack.stripe.url}/connect/onboarding/`));
    await page.getByRole("button", { name: "Complete onboarding" }).click();
    await page.waitForURL("**/dashboard/payouts?return=1");
    await page.getByText(`Payouts are set up: ${ORG} can now sell paid items.`).waitFor();
    await page.getByTestId("payouts-summary").filter({ hasText: "can take payments" }).waitFor();
    expect(pageErrors).toEqual([]);
  });

  test("the item is on the storefront, with its icon and screenshots, and found by search", async () => {
    const page = buyerPage;
    await page.goto("/");
    const search = page.getByRole("search", { name: "Search the catalog" });
    await search.getByLabel("Search").fill("planetary");
    await search.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/\/search\?q=planetary/);
    const result = page.getByRole("region", { name: "Results" }).getByRole("link", { name: ITEM.name });
    // The search index follows the publication; a reader who just missed it searches again.
    await expect
      .poll(async () => {
        if ((await result.count()) > 0) return true;
        await page.reload();
        return false;
      })
      .toBe(true);
    await result.click();
    await page.waitForURL(`**/items/${ITEM.slug}`);
    await page.getByRole("heading", { level: 1, name: ITEM.name }).waitFor();
    await page.getByRole("complementary", { name: "Buy this item" }).getByText("$24.00").waitFor();
    expect(await page.locator("img.icon.large").getAttribute("src")).toMatch(/^\/media\/items\//);
    await expect.poll(() => page.getByRole("region", { name: "Screenshots" }).getByRole("img").count()).toBe(2);
    await page.getByRole("region", { name: "Description" }).locator("strong", { hasText: "planets" }).waitFor();
    await shot(page, "2-storefront");
    expect(pageErrors).toEqual([]);
  });

  test("a second browser buys it as a guest on Stripe's hosted checkout and sees the key once", async () => {
    const page = buyerPage;
    const guestForm = page.getByRole("form", { name: "Buy as a guest" });
    await guestForm.getByLabel("Or as a guest: your e-mail").fill(buyerEmail);
    await guestForm.getByRole("button", { name: "Continue to payment" }).click();
    await page.waitForURL(new RegExp(`^${stack.stripe.url}/checkout/cs_test_`));
    await page.getByRole("heading", { name: /Test checkout/ }).waitFor();
    await page.getByRole("button", { name: "Pay" }).click();
    await page.waitForURL(/\/checkout\/success\?checkout=chk_/);
    // The page refreshes itself until Plaza has processed Stripe's webhook.
    await page.getByRole("heading", { level: 1, name: "Thank you!" }).waitFor(afterWebhooks);
    await page.getByText(`Your purchase of ${ITEM.name} is complete.`).waitFor();
    licenseKey = ((await page.locator("code.license-key").textContent()) ?? "").trim();
    expect(licenseKey).toMatch(/^[A-Z0-9]{4}(-[0-9A-Z]{4}){3}$/);
    await shot(page, "3-success");
    expect(await validate()).toMatchObject({ valid: true, code: "valid" });
  });

  test("the buyer signs in with the e-mailed link and reviews the item from Purchases", async () => {
    const page = buyerPage;
    const known = await mailedLinks(buyerEmail, "/magic-link");
    await page.goto("/login");
    await page.getByLabel("E-mail").fill(buyerEmail);
    await page.getByRole("button", { name: "E-mail me a sign-in link" }).click();
    await page.getByText("Check your inbox.").waitFor();
    await page.goto(await newMailedLink(buyerEmail, "/magic-link", known));
    await page.waitForURL("**/dashboard/purchases");
    const license = page.getByRole("region", { name: "Licenses" }).getByRole("article", { name: ITEM.name });
    await license.getByText(maskLicenseKey(licenseKey.slice(0, 4), licenseKey.slice(-4)), { exact: true }).waitFor();

    await page.getByRole("link", { name: `Write a review of ${ITEM.name}` }).click();
    await page.waitForURL(`**/review/${ITEM.slug}`);
    await page.getByRole("heading", { level: 1, name: `Review ${ITEM.name}` }).waitFor();
    const form = page.getByRole("form", { name: "Write a review" });
    await form.getByLabel("5 stars").check();
    await form.getByLabel("Title").fill("Precise and pretty");
    await form.getByLabel("Your review").fill(REVIEW);
    await form.getByRole("button", { name: "Publish review" }).click();
    await page.getByRole("status").filter({ hasText: "Published." }).getByRole("link", { name: "See it on the storefront" }).waitFor();
    await shot(page, "4-reviewed");
    expect(pageErrors).toEqual([]);
  });

  test("the author replies in the studio and the reply is on the storefront", async () => {
    const page = authorPage;
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Items" }).click();
    await page
      .getByRole("region", { name: "Items" })
      .getByRole("row")
      .filter({ hasText: ITEM.name })
      .getByRole("link", { name: ITEM.name })
      .click();
    await studioTab(page, "Reviews");
    const card = page.getByRole("article", { name: `Review by ${buyerName}` });
    await card.getByText(REVIEW).waitFor();
    await card.getByLabel("Public reply").fill(REPLY);
    await card.getByRole("button", { name: "Post reply" }).click();
    await card.getByTestId("reply").getByText(REPLY).waitFor();

    // The buyer's browser, on the storefront's item page (purged on change; reloaded until it shows).
    const storefront = buyerPage;
    await storefront.getByRole("link", { name: "See it on the storefront" }).click();
    await storefront.waitForURL(`**/items/${ITEM.slug}`);
    await expect
      .poll(async () => {
        if ((await storefront.getByText(REPLY).count()) > 0) return true;
        await storefront.reload();
        return false;
      })
      .toBe(true);
    await storefront.getByText(REVIEW).waitFor();
    await storefront.getByText("5 out of 5 stars").first().waitFor();
    await shot(storefront, "5-reply-on-storefront");
    expect(pageErrors).toEqual([]);
  });

  test("the author suspends the buyer's key and the License API answers `suspended`", async () => {
    const page = authorPage;
    await studioTab(page, "Licenses");
    const masked = maskLicenseKey(licenseKey.slice(0, 4), licenseKey.slice(-4));
    const keys = page.getByRole("region", { name: "Issued keys" });
    await keys.getByRole("searchbox", { name: "Search keys" }).fill(buyerEmail);
    await keys.getByRole("button", { name: "Search" }).click();
    const keyRow = keys.getByRole("row").filter({ hasText: buyerEmail });
    await keyRow.getByText(masked).waitFor();
    await keyRow.getByRole("button", { name: `Manage ${masked}` }).click();
    const panel = keys.getByRole("article", { name: `Key ${masked}` });
    page.once("dialog", (dialog) => void dialog.accept());
    await panel.getByRole("button", { name: "Suspend" }).click();
    await panel.getByText("Suspended", { exact: true }).waitFor();
    await keyRow.getByText("Suspended", { exact: true }).waitFor();
    await shot(page, "6-suspended");
    expect(await validate()).toMatchObject({ valid: false, code: "suspended", license: { status: "suspended" } });
    await authorContext.close();
    await buyerContext.close();
    expect(pageErrors).toEqual([]);
  });
});
