/**
 * The customer portal in a real browser, on the same stack as the payments test (`wrangler dev`
 * beside the Stripe emulator). A guest who never signed up buys with the storefront's guest form,
 * later asks for a sign-in link on /login, opens it from the dev mailbox and lands on Purchases:
 * the license (masked to the key's last group) with an installation to deactivate, and the item
 * under Downloads, whose Download button delivers the uploaded bundle. Bad, used and rate-limited
 * links fail readably. Every wait polls (`eventually`, Playwright's auto-waiting).
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { assertViteBuild, launchChromium, newContext } from "../scripts/lib/browser.mjs";
import { eventually } from "../scripts/lib/eventually";
import { expectStatus, plazaApi } from "../scripts/lib/plaza-api";
import { startPlazaWithStripe } from "../scripts/lib/stripe-emulator.mjs";
import { WAIT } from "../scripts/lib/wait-budgets.mjs";
import { seedConnectOnboarding } from "../scripts/seed-payments.mjs";
import type { OrgT } from "../shared/api";
import { maskLicenseKey } from "../shared/licenses";

const SCREENSHOTS = "/tmp/plaza-portal";
const RUN = Date.now().toString(36);
const ITEM = { slug: `orrery-kit-${RUN}`, name: "Orrery Kit", pricing: { model: "one_time", amount: 2400, currency: "usd" } } as const;
const VERSION = "1.0.0";
/** Stands in for a bundle: Plaza stores and serves the bytes as uploaded. */
const BUNDLE = Buffer.from(`the bundle of ${ITEM.slug}, ${"orbits ".repeat(200)}`);
const author = { name: "Caroline Herschel", email: `caroline-${RUN}@example.com`, password: "comets and nebulae 1786" };
/** Never signs up: the guest checkout makes their password-less account. */
const guestEmail = `william-${RUN}@example.com`;

let stack: Awaited<ReturnType<typeof startPlazaWithStripe>>;
const { api, signUpAndLogIn, publishItem } = plazaApi(() => stack.url);
let browser: Browser;
const pageErrors: string[] = [];
/** The key the success page showed once; the portal shows it masked. */
let licenseKey: string;

async function newPage(options: { javaScriptEnabled?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser, {
    baseURL: stack.url,
    viewport: { width: 1200, height: 900 },
    acceptDownloads: true,
    ...options,
  });
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(String(err)));
  return { context, page };
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

/** A published paid item with one uploaded version, by an author whose org can take payments. */
async function authorWithPaidItem() {
  const token = await signUpAndLogIn(author);
  const org = await api<OrgT>("POST", "/v1/orgs", { name: "Herschel Instruments", slug: `herschel-${RUN}` }, token);
  expectStatus(org, 201, "create org");
  await seedConnectOnboarding({ apiUrl: stack.url, email: author.email, password: author.password, orgSlug: `herschel-${RUN}` });
  await publishItem(
    token,
    org.body.id,
    { slug: ITEM.slug, name: ITEM.name, summary: "A clockwork solar system", description: "Paid **demo** item.", pricing: ITEM.pricing },
    { version: VERSION, changelog: "First release", bytes: BUNDLE },
  );
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** The guest form on the item page (JavaScript off, as a guest may have it), Pay, and the key from the success page. */
async function buyAsGuest(): Promise<string> {
  const { context, page } = await newPage({ javaScriptEnabled: false });
  await page.goto(`/items/${ITEM.slug}`);
  const guestForm = page.getByRole("form", { name: "Buy as a guest" });
  await guestForm.getByLabel("Or as a guest: your e-mail").fill(guestEmail);
  await guestForm.getByRole("button", { name: "Continue to payment" }).click();
  await page.waitForURL(new RegExp(`^${stack.stripe.url}/checkout/cs_test_`));
  await page.getByRole("button", { name: "Pay" }).click();
  // The success page refreshes itself until Plaza has processed Stripe's webhook.
  await page.getByRole("heading", { level: 1, name: "Thank you!" }).waitFor({ timeout: WAIT.backgroundWork });
  const key = (await page.locator("code.license-key").textContent())?.trim() ?? "";
  await context.close();
  return key;
}

/** Every sign-in link e-mailed to `to` so far, from the dev mailbox. */
async function signInLinks(to: string): Promise<string[]> {
  const { body } = await api<{ data: { to: string; text: string }[] }>("GET", "/dev/mailbox.json");
  return body.data.filter((m) => m.to === to).flatMap((m) => /https?:\/\/\S+\/magic-link\?token=[^\s"<>]+/.exec(m.text)?.[0] ?? []);
}

/** A sign-in link to `to` not among `known` (polled: the request writes the mail, the queue sends it). */
const newSignInLink = (to: string, known: string[]) =>
  eventually(`a new sign-in link e-mailed to ${to}`, async () => (await signInLinks(to)).find((link) => !known.includes(link)));

/** /login → "E-mail me a sign-in link" for `email` → the "check your inbox" message. */
async function askForSignInLink(page: Page, email: string) {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(email);
  await page.getByRole("button", { name: "E-mail me a sign-in link" }).click();
}

beforeAll(async () => {
  assertViteBuild();
  mkdirSync(SCREENSHOTS, { recursive: true });
  stack = await startPlazaWithStripe();
  browser = await launchChromium();
  await authorWithPaidItem();
  licenseKey = await buyAsGuest();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("customer portal", () => {
  test("a guest signs in by e-mailed link and lands on Purchases; the link works once", async () => {
    expect(licenseKey).toMatch(/^[A-Z0-9]{4}(-[0-9A-Z]{4}){3}$/);
    const { context, page } = await newPage();
    const known = await signInLinks(guestEmail);
    await askForSignInLink(page, guestEmail);
    await page.getByText("Check your inbox.").waitFor();
    await page.getByText(`If ${guestEmail} has a Plaza account, a sign-in link is on its way.`).waitFor();
    await shot(page, "1-link-sent");

    const link = await newSignInLink(guestEmail, known);
    expect(new URL(link).origin).toBe(stack.url);
    await page.goto(link);
    await page.waitForURL("**/dashboard/purchases");
    await page.getByRole("heading", { level: 1, name: "Purchases" }).waitFor();
    await page.getByRole("region", { name: "Orders" }).getByRole("row").filter({ hasText: ITEM.name }).getByText("$24.00").waitFor();
    await context.close();

    // Spent: the same link now fails, with a way to ask for a new one.
    const { context: again, page: againPage } = await newPage();
    await againPage.goto(link);
    await againPage.getByRole("alert").filter({ hasText: "invalid, used or expired" }).waitFor();
    await againPage.getByRole("form", { name: "Get a new sign-in link" }).waitFor();
    await again.close();
    expect(pageErrors).toEqual([]);
  });

  test("Licenses shows the masked key and its installation, which the buyer deactivates", async () => {
    const [prefix, , , lastGroup] = licenseKey.split("-") as [string, string, string, string];
    // An installation, as the plugin would register it, seen once since.
    const activated = await api("POST", "/v1/licenses/activate", {
      key: licenseKey,
      item: ITEM.slug,
      fingerprint: "machine-7f3a",
      name: "Observatory Mac",
    });
    expectStatus(activated, 200, "activate");
    expect(activated.body).toMatchObject({ valid: true, code: "valid" });
    expectStatus(
      await api("POST", "/v1/licenses/validate", { key: licenseKey, item: ITEM.slug, fingerprint: "machine-7f3a" }),
      200,
      "validate",
    );

    const { context, page } = await newPage();
    const known = await signInLinks(guestEmail);
    await askForSignInLink(page, guestEmail);
    await page.getByText("Check your inbox.").waitFor();
    await page.goto(await newSignInLink(guestEmail, known));
    await page.waitForURL("**/dashboard/purchases");

    const license = page.getByRole("region", { name: "Licenses" }).getByRole("article", { name: ITEM.name });
    await license.getByText(maskLicenseKey(prefix, lastGroup), { exact: true }).waitFor();
    expect(await license.getByText(licenseKey).count()).toBe(0);
    await license.getByText("Active", { exact: true }).waitFor();
    await license.getByText("1 of 3", { exact: true }).waitFor();
    const installation = license.getByRole("row").filter({ hasText: "Observatory Mac" });
    await installation.getByText("machine-7f3a").waitFor();
    expect(await installation.getByText("Never").count()).toBe(0);
    await shot(page, "2-licenses");

    page.once("dialog", (dialog) => void dialog.accept());
    await installation.getByRole("button", { name: "Deactivate Observatory Mac" }).click();
    await license.getByText("Not activated anywhere yet.").waitFor();
    await license.getByText("0 of 3", { exact: true }).waitFor();
    await page.getByText("Deactivated Observatory Mac.").waitFor();
    const check = await api("POST", "/v1/licenses/validate", { key: licenseKey, item: ITEM.slug, fingerprint: "machine-7f3a" });
    expect(check.body).toMatchObject({ valid: false, code: "fingerprint_mismatch", license: { activations: 0 } });

    // Downloads: the item, its version, and the uploaded bytes from the Download button.
    const entry = page.getByRole("region", { name: "Downloads" }).getByRole("article", { name: ITEM.name });
    await entry.getByText("Bought", { exact: true }).waitFor();
    const version = entry.getByRole("row").filter({ hasText: VERSION });
    await shot(page, "3-downloads");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      version.getByRole("button", { name: `Download ${ITEM.name} ${VERSION}` }).click(),
    ]);
    expect(download.url()).toMatch(new RegExp(`^${stack.url}/download/`));
    expect(download.suggestedFilename()).toBe(`${ITEM.slug}-${VERSION}.tar.gz`);
    const saved = await download.path();
    expect(saved).toBeTruthy();
    const bytes = readFileSync(saved!);
    expect(bytes.length).toBe(BUNDLE.length);
    expect(sha256(bytes)).toBe(sha256(BUNDLE));
    // The app stays where it was: an attachment does not navigate away.
    await page.getByRole("heading", { level: 1, name: "Purchases" }).waitFor();
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  test("a made-up link shows the error and offers a new one; asking too often is refused readably", async () => {
    const { context, page } = await newPage();
    await page.goto("/magic-link?token=bogus");
    await page.getByRole("heading", { level: 1, name: "Sign in with a link" }).waitFor();
    await page.getByRole("alert").filter({ hasText: "This sign-in link is invalid, used or expired" }).waitFor();
    await shot(page, "4-bad-link");
    // Asking again from that page: the same "check your inbox" answer.
    const form = page.getByRole("form", { name: "Get a new sign-in link" });
    const someone = `someone-${RUN}@example.com`;
    await form.getByLabel("E-mail").fill(someone);
    await form.getByRole("button", { name: "E-mail me a sign-in link" }).click();
    await page.getByText("Check your inbox.").waitFor();

    // Ask until the address's allowance is used up; then the login page says when to try again.
    let status = 202;
    for (let asked = 1; status === 202 && asked <= 10; asked++)
      status = (await api("POST", "/v1/auth/magic-link", { email: someone })).status;
    expect(status).toBe(429);
    await askForSignInLink(page, someone);
    await page
      .getByRole("alert")
      .filter({ hasText: /Too many attempts\. Try again in \d+ (minutes|seconds?)\./ })
      .waitFor();
    await shot(page, "5-rate-limited");
    await context.close();
    expect(pageErrors).toEqual([]);
  });
});
