import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { assertViteBuild, launchChromium, newContext } from "../scripts/lib/browser.mjs";
import { logInWhenAsked } from "../scripts/lib/log-in";
import { expectStatus, plazaApi } from "../scripts/lib/plaza-api";
import { ephemeralSecrets, startWranglerDev } from "../scripts/lib/wrangler-dev.mjs";
import type { OrgT } from "../shared/api";
import type { ItemT } from "../shared/catalog";
import { authorReceives, type PlatformFee } from "../shared/fees";

const SCREENSHOTS = "/tmp/plaza-studio";
const RUN = Date.now().toString(36);
const ORG = "Lovelace Instruments";
const author = { name: "Ada Lovelace", email: `ada-${RUN}@example.com`, password: "analytical engine notes" };
const member = { name: "Charles Babbage", email: `charles-${RUN}@example.com`, password: "difference engine two" };
const TAKEN_SLUG = `quill-${RUN}`;
const NEW_SLUG = `quill-pro-${RUN}`;
const VERSIONED_SLUG = `inkwell-${RUN}`;

let server: Awaited<ReturnType<typeof startWranglerDev>>;
const { api, signUpAndLogIn, joinOrg, uploadVersion } = plazaApi(() => server.url);
let browser: Browser;
let fee: PlatformFee;
const pageErrors: string[] = [];

/** An item with version 1.0.0, still a draft: what the CLI does before the author publishes it. */
async function itemWithVersion(token: string, orgId: string) {
  const item = await api<ItemT>("POST", `/v1/orgs/${orgId}/items`, { slug: VERSIONED_SLUG, name: "Inkwell", category: "editor" }, token);
  expectStatus(item, 201, "create the versioned item");
  await uploadVersion(token, { slug: VERSIONED_SLUG, version: "1.0.0" });
}

beforeAll(async () => {
  assertViteBuild();
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startWranglerDev({ secrets: ephemeralSecrets() });
  browser = await launchChromium();
  const [authorToken, memberToken] = await Promise.all([signUpAndLogIn(author), signUpAndLogIn(member)]);
  // The author's first org becomes their active one, which /dashboard/items is about.
  const org = await api<OrgT>("POST", "/v1/orgs", { name: ORG, slug: `lovelace-${RUN}` }, authorToken);
  expectStatus(org, 201, "create org");
  const taken = await api("POST", `/v1/orgs/${org.body.id}/items`, { slug: TAKEN_SLUG, name: "Quill", category: "editor" }, authorToken);
  expectStatus(taken, 201, "create the item whose slug the form will try");
  await itemWithVersion(authorToken, org.body.id);
  await joinOrg(authorToken, org.body.id, { email: member.email, token: memberToken }, "member");
  const answer = await api<PlatformFee>("GET", "/v1/platform-fee");
  expectStatus(answer, 200, "read the platform fee");
  fee = answer.body;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

/** Opens `path` signed in as `user` (through the login form's `?next=`). */
async function openAs(user: { email: string; password: string }, path: string) {
  const context = await newContext(browser, { baseURL: server.url, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(String(err)));
  await page.goto(path);
  await logInWhenAsked(page, user, path);
  return { context, page };
}

const money = (minor: number) => `$${(minor / 100).toFixed(2)}`;
const itemRow = (page: Page, name: string) => page.getByRole("region", { name: "Items" }).getByRole("row").filter({ hasText: name });

describe("author studio", () => {
  test("New item refuses a taken slug beside the field, then creates a draft and opens its Details tab", async () => {
    const { context, page } = await openAs(author, "/dashboard");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Items" }).click();
    await page.getByRole("heading", { level: 1, name: `Items · ${ORG}` }).waitFor();
    await page.getByRole("button", { name: "New item" }).click();

    const form = page.getByRole("form", { name: "New item" });
    await form.getByText(/a single letter away .* from another org's published item is refused/).waitFor();
    await form.getByLabel("Slug").fill(TAKEN_SLUG);
    await form.getByLabel("Name").fill("Quill Pro");
    await form.getByLabel("Summary").fill("Write with a better pen");
    await form.getByLabel("Category").selectOption("editor");
    await form.getByLabel("How it is sold").selectOption("one_time");
    await form.getByLabel("Amount").fill("19.99");
    const net = authorReceives(fee, { model: "one_time", amount: 1999, currency: "usd" })!;
    await form
      .getByTestId("author-receives")
      .getByText(`you receive ${money(net)} per sale`)
      .waitFor();
    await form.getByRole("button", { name: "Create draft" }).click();

    // The API's `fields` (body.slug), beside the Slug field.
    const slugError = form.locator('[data-error-for="slug"]');
    await slugError.getByText("Is taken").waitFor();
    expect(await form.getByLabel("Slug").getAttribute("aria-invalid")).toBe("true");
    await shot(page, "1-slug-taken");

    await form.getByLabel("Slug").fill(NEW_SLUG);
    await form.getByRole("button", { name: "Create draft" }).click();
    await page.waitForURL(/\/dashboard\/items\/itm_\w+\/details$/);
    await page.getByRole("heading", { level: 1, name: "Quill Pro" }).waitFor();
    await page.locator(".page-header .badge").getByText("Draft").waitFor();
    const details = page.getByRole("form", { name: "Item details" });
    expect(await details.getByLabel("Slug").inputValue()).toBe(NEW_SLUG);
    expect(await details.getByLabel("Amount").inputValue()).toBe("19.99");
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  test("the Details tab previews the Markdown as the storefront renders it, saves, and shows why publishing needs a version", async () => {
    const { context, page } = await openAs(author, "/dashboard/items");
    await itemRow(page, "Quill Pro").getByRole("link", { name: "Quill Pro" }).click();
    const details = page.getByRole("form", { name: "Item details" });
    const preview = details.getByTestId("description-preview");
    await details
      .getByLabel(/^Description/)
      .fill("## Features\n\n- **Fast** ink\n- [Docs](https://example.com/docs)\n\n<script>alert(1)</script>");
    // headingOffset 2, as on the storefront's item page: ## becomes h4.
    await preview.locator("h4", { hasText: "Features" }).waitFor();
    await preview.locator("strong", { hasText: "Fast" }).waitFor();
    expect(await preview.getByRole("link", { name: "Docs" }).getAttribute("rel")).toBe("nofollow ugc noopener");
    expect(await preview.locator("script").count()).toBe(0);
    await preview.getByText("<script>alert(1)</script>").waitFor();
    // A status change reloads the tab, so it waits until the edits are saved.
    const statusForm = page.getByRole("form", { name: "Status" });
    await statusForm.getByText("You have unsaved changes below").waitFor();
    expect(await statusForm.getByRole("button", { name: "Publish" }).isDisabled()).toBe(true);

    await details.getByLabel("Tags").fill("ink, writing");
    await details.getByLabel("How it is sold").selectOption("month");
    await details.getByLabel("Amount").fill("5");
    const net = authorReceives(fee, { model: "subscription", amount: 500, currency: "usd", interval: "month" })!;
    await details
      .getByTestId("author-receives")
      .getByText(`you receive ${money(net)} per month`)
      .waitFor();
    await details.getByRole("button", { name: "Save changes" }).click();
    await page.locator(".toast").getByText("Details saved.").waitFor();

    await page.reload();
    const reloaded = page.getByRole("form", { name: "Item details" });
    expect(await reloaded.getByLabel("Tags").inputValue()).toBe("ink, writing");
    expect(await reloaded.getByLabel("How it is sold").inputValue()).toBe("month");
    expect(await reloaded.getByLabel("Amount").inputValue()).toBe("5.00");
    await reloaded.getByTestId("description-preview").locator("h4", { hasText: "Features" }).waitFor();

    const status = page.getByRole("form", { name: "Status" });
    await status.getByText("Publishing needs a version").waitFor();
    await status.getByText("This item has none yet.").waitFor();
    await status.getByRole("button", { name: "Publish" }).click();
    // The API refuses, and says why, beside the status.
    await status.getByText("Publish a version before publishing the item").waitFor();
    await status.locator('[data-error-for="status"]').getByText("Needs a published version first").waitFor();
    await shot(page, "2-details");
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  test("an item with a version publishes; the list shows each item's status, price and versions, filtered by status", async () => {
    const { context, page } = await openAs(author, "/dashboard/items");
    await itemRow(page, "Inkwell").getByRole("link", { name: "Inkwell" }).click();
    const status = page.getByRole("form", { name: "Status" });
    await status.getByText("Newest: 1.0.0 (stable).").waitFor();
    await status.getByRole("button", { name: "Publish" }).click();
    await page.locator(".toast").getByText("Published: it is on the storefront.").waitFor();
    await page.locator(".page-header .badge").getByText("Published").waitFor();

    await page.getByRole("link", { name: "Items", exact: true }).first().click();
    await page.getByRole("heading", { level: 1, name: `Items · ${ORG}` }).waitFor();
    const inkwell = itemRow(page, "Inkwell");
    await inkwell.getByText("Published").waitFor();
    await inkwell.getByText("stable 1.0.0").waitFor();
    await inkwell.getByText("Free").waitFor();
    const quill = itemRow(page, "Quill Pro");
    await quill.getByText("Draft").waitFor();
    await quill.getByText("$5.00 / month").waitFor();
    await quill.getByText("No version yet").waitFor();
    await quill.getByText("No reviews").waitFor();

    await page.getByLabel("Status").selectOption("published");
    await page.waitForURL(/\/dashboard\/items\?status=published$/);
    await itemRow(page, "Inkwell").waitFor();
    expect(await itemRow(page, "Quill").count()).toBe(0);
    await shot(page, "3-list-published");

    await page.getByLabel("Status").selectOption("draft");
    await page.waitForURL(/\/dashboard\/items\?status=draft$/);
    await itemRow(page, "Quill Pro").waitFor();
    expect(await itemRow(page, "Inkwell").count()).toBe(0);

    await page.getByLabel("Status").selectOption("removed");
    await page.getByText("No items with this status.").waitFor();
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  test("a member sees the items and their details read-only", async () => {
    const { context, page } = await openAs(member, "/dashboard/items");
    await page.getByRole("heading", { level: 1, name: `Items · ${ORG}` }).waitFor();
    await page.getByText("admins and owners edit them").waitFor();
    expect(await page.getByRole("button", { name: "New item" }).count()).toBe(0);
    await itemRow(page, "Quill Pro").getByText("Draft").waitFor();

    await itemRow(page, "Quill Pro").getByRole("link", { name: "Quill Pro" }).click();
    const details = page.getByRole("form", { name: "Item details" });
    await details.getByLabel("Name").waitFor();
    expect(await details.getByLabel("Name").isDisabled()).toBe(true);
    expect(await details.getByLabel(/^Description/).isDisabled()).toBe(true);
    expect(await details.getByLabel("Amount").isDisabled()).toBe(true);
    await details.getByTestId("description-preview").locator("h4", { hasText: "Features" }).waitFor();
    expect(await page.getByRole("button", { name: "Save changes" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Publish" }).count()).toBe(0);
    await shot(page, "4-member");
    await context.close();
    expect(pageErrors).toEqual([]);
  });
});
