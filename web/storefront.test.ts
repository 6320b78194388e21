import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { assertViteBuild, launchChromium, newContext } from "../scripts/lib/browser.mjs";
import { expectStatus, plazaApi } from "../scripts/lib/plaza-api";
import { ephemeralSecrets, startWranglerDev } from "../scripts/lib/wrangler-dev.mjs";
import type { OrgT } from "../shared/api";
import type { ItemT } from "../shared/catalog";

const SCREENSHOTS = "/tmp/plaza-storefront";
const SLUG = `sheet-weaver-${Date.now().toString(36)}`;
const author = { name: "Grace Hopper", email: `grace-${Date.now()}@example.com`, password: "compiler pioneer 1952" };

let server: Awaited<ReturnType<typeof startWranglerDev>>;
const { api, signUpAndLogIn, uploadVersion, publishItem: publishWithVersion } = plazaApi(() => server.url);
let browser: Browser;

/** The CLI's publish path: create the item, start an upload, PUT the bytes, publish. */
async function publishItem(token: string) {
  const org = await api<OrgT>("POST", "/v1/orgs", { name: "Hopper Tools", slug: `hopper-${Date.now().toString(36)}` }, token);
  expectStatus(org, 201, "create org");
  const description = "## Weave sheets\n\nJoins **spreadsheets** row by row.\n\n<script>alert('x')</script>";
  const item = await api<ItemT>(
    "POST",
    `/v1/orgs/${org.body.id}/items`,
    { slug: SLUG, name: "Sheet Weaver", summary: "Merge spreadsheets", description, category: "productivity", tags: ["sheets"] },
    token,
  );
  expectStatus(item, 201, "create item");
  await uploadVersion(token, { slug: SLUG, version: "1.2.0", changelog: "Faster weaving" });
  expectStatus(await api("PATCH", `/v1/orgs/${org.body.id}/items/${item.body.id}`, { status: "published" }, token), 200, "publish");
}

beforeAll(async () => {
  assertViteBuild();
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startWranglerDev({ secrets: ephemeralSecrets() });
  browser = await launchChromium();
  await publishItem(await signUpAndLogIn(author));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("storefront", () => {
  test("with JavaScript disabled: home → search → results → item page", async () => {
    const context = await newContext(browser, { baseURL: server.url, javaScriptEnabled: false, viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();

    const home = await page.goto("/");
    expect(home?.status()).toBe(200);
    expect(home?.headers()["content-type"]).toMatch(/^text\/html/);
    await page.getByRole("heading", { level: 1, name: "Find plugins for your projects" }).waitFor();
    await page.getByRole("heading", { level: 2, name: "New" }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, "1-home.png"), fullPage: true });

    const search = page.getByRole("search", { name: "Search the catalog" });
    await search.getByLabel("Search").fill("spreadsheets");
    await search.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/\/search\?q=spreadsheets/);
    await page.getByRole("heading", { level: 1, name: "Results for “spreadsheets”" }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, "2-results.png"), fullPage: true });

    await page.getByRole("region", { name: "Results" }).getByRole("link", { name: "Sheet Weaver" }).click();
    await page.waitForURL(`**/items/${SLUG}`);
    await page.getByRole("heading", { level: 1, name: "Sheet Weaver" }).waitFor();
    const description = page.getByRole("region", { name: "Description" });
    await description.getByRole("heading", { name: "Weave sheets" }).waitFor();
    expect(await description.locator("strong").textContent()).toBe("spreadsheets");
    // Raw HTML in the description is shown as text, never run.
    await description.getByText("<script>alert('x')</script>").waitFor();
    const versions = page.getByRole("region", { name: "Versions" });
    await versions.getByRole("heading", { name: "1.2.0" }).waitFor();
    await versions.getByText("Faster weaving").waitFor();
    expect(await page.getByRole("link", { name: "Get Sheet Weaver" }).getAttribute("href")).toBe(`/get/${SLUG}`);
    await page.screenshot({ path: join(SCREENSHOTS, "3-item.png"), fullPage: true });
    await context.close();
  });

  test("the checkout steps link the filled Terms and Refund policy, and every footer reaches Support", async () => {
    // The dev settings the server runs with: wrangler.toml's top-level [vars] (the first of each name).
    const toml = readFileSync(join(import.meta.dirname, "../wrangler.toml"), "utf8");
    const setting = (name: string) => new RegExp(`^${name} = "(.*)"$`, "m").exec(toml)![1]!;
    const entity = setting("LEGAL_ENTITY_NAME");
    const supportEmail = setting("SUPPORT_EMAIL");
    const seller = { name: "Edsger Dijkstra", email: `edsger-${Date.now()}@example.com`, password: "shortest path 1959" };
    const token = await signUpAndLogIn(seller);
    const org = await api<OrgT>("POST", "/v1/orgs", { name: "Dijkstra Paths", slug: `dijkstra-${Date.now().toString(36)}` }, token);
    expectStatus(org, 201, "create org");
    const paidSlug = `path-finder-${Date.now().toString(36)}`;
    await publishWithVersion(token, org.body.id, {
      slug: paidSlug,
      name: "Path Finder",
      summary: "Shortest paths",
      pricing: { model: "one_time", amount: 1900, currency: "usd" },
    });

    const context = await newContext(browser, { baseURL: server.url, viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(String(err)));

    // The storefront's buy box, the step before Stripe: Terms.
    await page.goto(`/items/${paidSlug}`);
    const buyBox = page.getByRole("complementary", { name: "Buy this item" });
    await buyBox.getByText("By buying you agree to the Terms and the License Agreement").waitFor();
    await buyBox.getByRole("link", { name: "Terms", exact: true }).click();
    await page.waitForURL("**/legal/terms");
    await page.getByRole("heading", { level: 1, name: "Terms of Service" }).waitFor();
    await page.getByText(`operated by ${entity}`).first().waitFor();

    // Signed in, the web app's checkout page: Refund policy.
    await page.goto(`/items/${paidSlug}`);
    await buyBox.getByRole("link", { name: "Buy Path Finder" }).click();
    await page.waitForURL(/\/login\?next=%2Fbuy%2F/);
    await page.getByLabel("E-mail").fill(seller.email);
    await page.getByLabel("Password").fill(seller.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`**/buy/${paidSlug}`);
    await page.getByRole("button", { name: "Continue to payment" }).waitFor();
    const note = page.getByTestId("terms-note");
    await note.getByText("By buying you agree to the").waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, "5-buy-terms.png"), fullPage: true });
    await note.getByRole("link", { name: "Refund policy" }).click();
    await page.waitForURL("**/legal/refunds");
    await page.getByRole("heading", { level: 1, name: "Refund Policy" }).waitFor();
    await page.getByText(`Within ${setting("REFUND_WINDOW_DAYS")} days of a purchase`).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, "6-refunds.png"), fullPage: true });

    // The storefront's footer (here the refund page's) reaches Support, with the operator's address.
    await page.getByRole("navigation", { name: "Legal and support" }).getByRole("link", { name: "Support" }).click();
    await page.waitForURL("**/support");
    await page.getByRole("heading", { level: 1, name: "Support" }).waitFor();
    expect(await page.getByRole("link", { name: supportEmail }).first().getAttribute("href")).toBe(`mailto:${supportEmail}`);

    // So does the web app's footer.
    await page.goto(`/buy/${paidSlug}`);
    await page.getByRole("button", { name: "Continue to payment" }).waitFor();
    await page.getByRole("contentinfo").getByRole("link", { name: "Support" }).click();
    await page.waitForURL("**/support");
    await page.getByRole("heading", { level: 1, name: "Support" }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  test("the Get button leads through login to the web app, which adds the free item", async () => {
    const buyer = { name: "Alan Turing", email: `alan-${Date.now()}@example.com`, password: "universal machine 1936" };
    await signUpAndLogIn(buyer);
    const context = await newContext(browser, { baseURL: server.url, viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(String(err)));

    await page.goto(`/items/${SLUG}`);
    await page.getByRole("link", { name: "Get Sheet Weaver" }).click();
    await page.waitForURL(/\/login\?next=%2Fget%2F/);
    await page.getByLabel("E-mail").fill(buyer.email);
    await page.getByLabel("Password").fill(buyer.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`**/get/${SLUG}`);
    await page.getByRole("button", { name: "Get Sheet Weaver" }).click();
    await page.getByText("Sheet Weaver is in your library.").waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, "4-got-it.png"), fullPage: true });

    // Back on the storefront (a full page load: the Worker renders it).
    await page.getByRole("link", { name: "Back to Sheet Weaver" }).click();
    await page.waitForURL(`**/items/${SLUG}`);
    await page.getByRole("heading", { level: 1, name: "Sheet Weaver" }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });
});
