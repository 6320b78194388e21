import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { packFolder } from "../scripts/cli/pack.mjs";
import { assertViteBuild, launchChromium, newContext } from "../scripts/lib/browser.mjs";
import { expectStatus, plazaApi } from "../scripts/lib/plaza-api";
import { drawPng as png } from "../scripts/lib/png.mjs";
import { ephemeralSecrets, startWranglerDev } from "../scripts/lib/wrangler-dev.mjs";
import type { OrgT } from "../shared/api";
import type { ItemT, VersionT } from "../shared/catalog";

const SCREENSHOTS = "/tmp/plaza-studio-media-versions";
const RUN = Date.now().toString(36);
const SLUG = `loom-${RUN}`;
const NAME = "Loom";
const author = { name: "Ada Lovelace", email: `ada-${RUN}@example.com`, password: "analytical engine notes" };
const member = { name: "Charles Babbage", email: `charles-${RUN}@example.com`, password: "difference engine two" };

let server: Awaited<ReturnType<typeof startWranglerDev>>;
const { api, signUpAndLogIn, joinOrg, uploadVersion } = plazaApi(() => server.url);
let browser: Browser;
let itemId: string;
const pageErrors: string[] = [];

/** A bundle as `plaza publish` packs it: plaza.json (the given manifest) and the entry module. */
async function bundle(manifest: Record<string, unknown>): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), "plaza-bundle-"));
  writeFileSync(join(dir, "plaza.json"), JSON.stringify(manifest, null, 2));
  mkdirSync(join(dir, "dist"));
  writeFileSync(join(dir, "dist/index.js"), `export default () => ${JSON.stringify(manifest.version)};\n`);
  return (await packFolder(dir)).bytes;
}
const manifestOf = (version: string, engine = "^1.0.0") => ({ name: SLUG, version, entry: "dist/index.js", engines: { plaza: engine } });

/** The published item with version 1.0.0, as the CLI and the item editor leave it. */
async function publishedItem(token: string, orgId: string) {
  const item = await api<ItemT>("POST", `/v1/orgs/${orgId}/items`, { slug: SLUG, name: NAME, category: "productivity" }, token);
  expectStatus(item, 201, "create the item");
  await uploadVersion(token, {
    slug: SLUG,
    version: "1.0.0",
    manifest: manifestOf("1.0.0"),
    bytes: await bundle(manifestOf("1.0.0")),
    contentType: "application/gzip",
  });
  expectStatus(await api("PATCH", `/v1/orgs/${orgId}/items/${item.body.id}`, { status: "published" }, token), 200, "publish the item");
  return item.body.id;
}

beforeAll(async () => {
  assertViteBuild();
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startWranglerDev({ secrets: ephemeralSecrets() });
  browser = await launchChromium();
  const [authorToken, memberToken] = await Promise.all([signUpAndLogIn(author), signUpAndLogIn(member)]);
  // The author's first org becomes their active one, which the studio is about.
  const org = await api<OrgT>("POST", "/v1/orgs", { name: "Lovelace Looms", slug: `lovelace-${RUN}` }, authorToken);
  expectStatus(org, 201, "create org");
  itemId = await publishedItem(authorToken, org.body.id);
  await joinOrg(authorToken, org.body.id, { email: member.email, token: memberToken }, "member");
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Opens `path` signed in as `user` (through the login form's `?next=`). */
async function openAs(user: { email: string; password: string }, path: string): Promise<Page> {
  const context = await newContext(browser, { baseURL: server.url, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(String(err)));
  await page.goto(path);
  await page.waitForURL(/\/login\?next=/);
  await page.getByLabel("E-mail").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(`**${path}`);
  return page;
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
const naturalSize = (page: Page, selector: string) =>
  page.locator(selector).evaluateAll((imgs) =>
    imgs.map((img) => {
      const i = img as HTMLImageElement;
      return i.complete && i.naturalWidth > 0 ? `${i.naturalWidth}x${i.naturalHeight}` : "loading";
    }),
  );
/** The item's storefront page as a new visitor gets it (nothing in the browser's cache). */
async function storefrontItemPage(): Promise<Page> {
  const context = await newContext(browser, { baseURL: server.url, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(String(err)));
  await page.goto(`/items/${SLUG}`);
  await page.getByRole("heading", { level: 1, name: NAME }).waitFor();
  return page;
}
const storefrontScreenshots = (page: Page) =>
  page
    .getByRole("region", { name: "Screenshots" })
    .getByRole("img")
    .evaluateAll((imgs) => imgs.map((i) => i.getAttribute("src")));
const studioScreenshots = (page: Page) =>
  page
    .getByRole("list", { name: "Screenshots" })
    .getByRole("listitem")
    .evaluateAll((items) => items.map((li) => li.getAttribute("data-url")));

describe("the studio's Media tab", () => {
  test("an author sets the icon and two screenshots (downscaled in the browser), reorders and deletes one, and the storefront follows", async () => {
    const page = await openAs(author, `/dashboard/items/${itemId}/media`);
    await page.getByRole("heading", { level: 1, name: NAME }).waitFor();
    await page.getByText("No icon yet").waitFor();

    // 4000 × 3000 (12 MP): fitted to 512 px on the long side, 4:3 kept.
    const photo = png(4000, 3000, (x, y) => [(x * 255) / 4000, (y * 255) / 3000, 128]);
    await page.getByLabel("Upload an icon").setInputFiles({ name: "photo.png", mimeType: "image/png", buffer: photo });
    await page.getByText("Icon updated.").waitFor();
    const icon = page.getByRole("img", { name: `${NAME} icon` });
    const iconUrl = (await icon.getAttribute("src"))!;
    expect(iconUrl).toMatch(/^\/media\/items\//);

    // A wide one (resized) and a small one (sent as it is), chosen together, added in that order.
    const wide = png(2400, 1600, () => [200, 40, 40]);
    const small = png(640, 400, () => [40, 40, 200]);
    await page.getByLabel("Add screenshots").setInputFiles([
      { name: "wide.png", mimeType: "image/png", buffer: wide },
      { name: "small.png", mimeType: "image/png", buffer: small },
    ]);
    await page.getByText("2 screenshots added.").waitFor();
    await page.getByText("2 of 8.").waitFor();
    const [wideUrl, smallUrl] = (await studioScreenshots(page)) as [string, string];

    const iconAsset = await fetch(`${server.url}${iconUrl}`);
    expect(iconAsset.headers.get("content-type")).toBe("image/webp");
    expect(Number(iconAsset.headers.get("content-length") ?? (await iconAsset.arrayBuffer()).byteLength)).toBeLessThan(photo.length);
    await expect.poll(() => naturalSize(page, "img.studio-icon")).toEqual(["512x384"]);

    // Reordered by dragging one onto the other's place, then with the buttons.
    const thumbnails = page.getByRole("list", { name: "Screenshots" }).getByRole("listitem");
    await thumbnails.nth(1).dragTo(thumbnails.nth(0));
    await expect.poll(() => studioScreenshots(page)).toEqual([smallUrl, wideUrl]);
    await page.getByRole("button", { name: "Move screenshot 1 down" }).click();
    await expect.poll(() => studioScreenshots(page)).toEqual([wideUrl, smallUrl]);
    await page.getByRole("button", { name: "Move screenshot 2 up" }).click();
    await expect.poll(() => studioScreenshots(page)).toEqual([smallUrl, wideUrl]);
    await shot(page, "1-media");

    // A visitor's storefront item page shows the served images in the new order.
    const visitor = await storefrontItemPage();
    expect(await visitor.locator("img.icon.large").getAttribute("src")).toBe(iconUrl);
    expect(await storefrontScreenshots(visitor)).toEqual([smallUrl, wideUrl]);
    await visitor.getByRole("region", { name: "Screenshots" }).getByRole("img").last().scrollIntoViewIfNeeded();
    await expect.poll(() => naturalSize(visitor, "img.icon.large")).toEqual(["512x384"]);
    await expect.poll(() => naturalSize(visitor, "section[aria-labelledby=screenshots] img")).toEqual(["640x400", "1920x1280"]);
    await shot(visitor, "2-storefront");
    await visitor.context().close();

    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Delete screenshot 2" }).click();
    await page.getByText("Screenshot 2 deleted.").waitFor();
    await expect.poll(() => studioScreenshots(page)).toEqual([smallUrl]);
    const later = await storefrontItemPage();
    expect(await storefrontScreenshots(later)).toEqual([smallUrl]);
    await later.context().close();
    expect((await fetch(`${server.url}${wideUrl}`)).status).toBe(404);

    // Dropping a file on the icon's zone replaces the icon (a 300 px square goes as it is).
    await page.getByText("Replace the icon").evaluate(async (label) => {
      const canvas = new OffscreenCanvas(300, 300);
      canvas.getContext("2d")!.fillRect(0, 0, 300, 300);
      const dropped = new DataTransfer();
      dropped.items.add(new File([await canvas.convertToBlob({ type: "image/png" })], "square.png", { type: "image/png" }));
      label.closest(".drop-zone")!.dispatchEvent(new DragEvent("drop", { dataTransfer: dropped, bubbles: true, cancelable: true }));
    });
    await expect.poll(async () => (await icon.getAttribute("src")) !== iconUrl).toBe(true);
    await expect.poll(() => naturalSize(page, "img.studio-icon")).toEqual(["300x300"]);
    expect((await fetch(`${server.url}${iconUrl}`)).status).toBe(404);
    await page.context().close();
    expect(pageErrors).toEqual([]);
  });
});

describe("the studio's Versions tab", () => {
  test("a bad manifest field is shown before any upload; a good bundle uploads over tus with Uppy and progress, then is yanked and unyanked", async () => {
    const page = await openAs(author, `/dashboard/items/${itemId}/versions`);
    const stable = page.getByRole("region", { name: "Stable channel" });
    await stable.getByRole("row").filter({ hasText: "1.0.0" }).getByText("Live").waitFor();
    const uploadRequests: string[] = [];
    page.on("request", (req) => {
      if (/\/v1\/(tus|items\/[^/]+\/uploads)/.test(req.url())) uploadRequests.push(`${req.method()} ${new URL(req.url()).pathname}`);
    });
    const form = page.getByRole("form", { name: "Publish a version" });

    await form.getByLabel("Bundle (.tar.gz)").setInputFiles({
      name: "loom-bad.tar.gz",
      mimeType: "application/gzip",
      buffer: await bundle(manifestOf("1.1.0", "whenever")),
    });
    const engineError = form.locator('[data-error-for="manifest.engines.plaza"]');
    await engineError.getByText("Must be a semver range like ^1.0.0").waitFor();
    expect(await form.getByRole("button", { name: "Publish version" }).isDisabled()).toBe(true);
    expect(uploadRequests).toEqual([]);
    await shot(page, "3-manifest-error");

    await form.getByLabel("Bundle (.tar.gz)").setInputFiles({
      name: "loom-1.1.0.tar.gz",
      mimeType: "application/gzip",
      buffer: await bundle(manifestOf("1.1.0")),
    });
    await form.getByText("loom-1.1.0.tar.gz").waitFor();
    expect(await engineError.isHidden()).toBe(true);
    await form.getByLabel("Channel").selectOption("stable");
    await form.getByLabel("Changelog").fill("## Faster weaving\n\n- twice the threads");
    await form.getByRole("button", { name: "Publish version" }).click();
    await page.getByText("Published 1.1.0 to the stable channel.").waitFor();
    await form.locator(".upload-progress").getByText("100%").waitFor();
    expect(await form.locator("progress").evaluate((p) => (p as HTMLProgressElement).value)).toBe(100);
    // Created over tus (the metadata declares version, manifest and SHA-256), one PATCH, then the result read.
    expect(uploadRequests.map((r) => r.replace(/\/v1\/tus\/[^/]+$/, "/v1/tus/{id}"))).toEqual([
      "POST /v1/tus",
      "PATCH /v1/tus/{id}",
      "GET /v1/tus/{id}",
    ]);

    const row = stable.getByRole("row").filter({ hasText: "1.1.0" });
    await row.getByText("Live").waitFor();
    await shot(page, "4-published");
    await row.getByRole("button", { name: "Yank 1.1.0" }).click();
    await row.getByText("Yanked").waitFor();
    const installable = await api<{ data: VersionT[] }>("GET", `/v1/items/${SLUG}/versions`);
    expect(installable.body.data.map((v) => v.version)).toEqual(["1.0.0"]);
    await row.getByRole("button", { name: "Unyank 1.1.0" }).click();
    await row.getByText("Live").waitFor();
    const again = await api<{ data: VersionT[] }>("GET", `/v1/items/${SLUG}/versions`);
    expect(again.body.data.map((v) => v.version)).toEqual(["1.1.0", "1.0.0"]);
    await shot(page, "5-unyanked");
    await page.context().close();
    expect(pageErrors).toEqual([]);
  });
});

describe("a member", () => {
  test("sees the media and the versions, and no way to change them", async () => {
    const page = await openAs(member, `/dashboard/items/${itemId}/media`);
    await page.getByText("Only admins and owners can change the media.").waitFor();
    await page.getByRole("list", { name: "Screenshots" }).getByRole("listitem").first().waitFor();
    expect(await page.getByLabel("Add screenshots").count()).toBe(0);
    expect(await page.locator('input[type="file"]').count()).toBe(0);
    expect(
      await page
        .getByRole("button")
        .filter({ hasText: /Move|Delete/ })
        .count(),
    ).toBe(0);

    await page.getByRole("navigation", { name: "Item" }).getByRole("link", { name: "Versions" }).click();
    await page.getByText("Only admins and owners can publish, yank and unyank versions.").waitFor();
    await page.getByRole("region", { name: "Stable channel" }).getByRole("row").filter({ hasText: "1.1.0" }).waitFor();
    expect(await page.getByRole("form", { name: "Publish a version" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: /yank/i }).count()).toBe(0);
    await page.context().close();
    expect(pageErrors).toEqual([]);
  });
});
