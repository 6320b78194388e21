import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { packFolder } from "../scripts/cli/pack.mjs";
import { assertViteBuild, launchChromium, newContext } from "../scripts/lib/browser.mjs";
import { eventually } from "../scripts/lib/eventually";
import { logInWhenAsked } from "../scripts/lib/log-in";
import { expectStatus, plazaApi } from "../scripts/lib/plaza-api";
import { drawPng as png } from "../scripts/lib/png.mjs";
import { WAIT } from "../scripts/lib/wait-budgets.mjs";
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
let orgId: string;
let authorToken: string;
const pageErrors: string[] = [];

/** A .tar.gz of `files` (path → contents) as `plaza publish` packs a folder: paths in code-unit order. */
async function packed(files: Record<string, string | Uint8Array>): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), "plaza-bundle-"));
  for (const [path, contents] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), contents);
  }
  return (await packFolder(dir)).bytes;
}
/** A bundle as `plaza publish` packs it: plaza.json (the given manifest), the entry module and `more` files. */
const bundle = (manifest: Record<string, unknown>, more: Record<string, string | Uint8Array> = {}) =>
  packed({
    "plaza.json": JSON.stringify(manifest, null, 2),
    "dist/index.js": `export default () => ${JSON.stringify(manifest.version)};\n`,
    ...more,
  });
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
  let memberToken: string;
  [authorToken, memberToken] = await Promise.all([signUpAndLogIn(author), signUpAndLogIn(member)]);
  // The author's first org becomes their active one, which the studio is about.
  const org = await api<OrgT>("POST", "/v1/orgs", { name: "Lovelace Looms", slug: `lovelace-${RUN}` }, authorToken);
  expectStatus(org, 201, "create org");
  orgId = org.body.id;
  itemId = await publishedItem(authorToken, orgId);
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
  await logInWhenAsked(page, user, path);
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
/** The variant each image loaded (path and query), as the browser chose it from `srcset`. */
const loadedFrom = (page: Page, selector: string) =>
  page.locator(selector).evaluateAll((imgs) =>
    imgs.map((img) => {
      const i = img as HTMLImageElement;
      if (!i.complete || i.naturalWidth === 0) return "loading";
      const url = new URL(i.currentSrc);
      return `${url.pathname}${url.search}`;
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
/** The states the studio shows for the screenshots, in order. */
const studioScreenshotStates = (page: Page) =>
  page
    .getByRole("list", { name: "Screenshots" })
    .locator(".media-state")
    .evaluateAll((captions) => captions.map((c) => c.textContent));
/** The studio's icon once it shows as processed. */
const readyIcon = (page: Page) => page.getByRole("region", { name: "Icon" }).locator('figure[data-state="ready"]').getByText("Ready");
/** Waits until the studio (which refreshes itself) shows the image processed. */
const processed = { timeout: WAIT.backgroundWork };

/**
 * A 4000 × 3000 JPEG a camera held upright would write: the pixels stored sideways with EXIF
 * orientation 6 (rotate 90° clockwise to show). Its stored top-left quadrant is red, the rest blue,
 * so upright (3000 × 4000, portrait) the red quadrant is the top right.
 */
async function sidewaysPhoto(): Promise<Buffer> {
  const red = await sharp({ create: { width: 2000, height: 1500, channels: 3, background: "#ff0000" } })
    .png()
    .toBuffer();
  return sharp({ create: { width: 4000, height: 3000, channels: 3, background: "#0000ff" } })
    .composite([{ input: red, left: 0, top: 0 }])
    .jpeg({ quality: 85 })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

/** The colour at a fraction of the image's width and height, as "red", "blue" or the RGB values. */
async function colourAt(image: Buffer, fx: number, fy: number): Promise<string> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (Math.floor(fy * info.height) * info.width + Math.floor(fx * info.width)) * info.channels;
  const [r, g, b] = data.subarray(at, at + 3);
  if (r! > 200 && g! < 60 && b! < 60) return "red";
  if (b! > 200 && r! < 60 && g! < 60) return "blue";
  return `rgb(${r}, ${g}, ${b})`;
}

const studioItem = async () => (await api<ItemT>("GET", `/v1/orgs/${orgId}/items/${itemId}`, undefined, authorToken)).body;

describe("the studio's Media tab", () => {
  test("a sideways 12 MP photo uploaded as the icon with Uppy becomes upright WebP variants and a placeholder; screenshots are added, reordered and deleted, and the storefront follows", async () => {
    const page = await openAs(author, `/dashboard/items/${itemId}/media`);
    await page.getByRole("heading", { level: 1, name: NAME }).waitFor();
    await page.getByText("No icon yet").waitFor();
    const tusRequests: string[] = [];
    page.on("request", (req) => {
      if (new URL(req.url()).pathname.startsWith("/v1/tus")) tusRequests.push(req.method());
    });

    // Sent as it is, over tus (no downscaling in the browser): the server makes the variants.
    const photo = await sidewaysPhoto();
    expect(await sharp(photo).metadata()).toMatchObject({ width: 4000, height: 3000, orientation: 6 });
    await page.getByLabel("Upload an icon").setInputFiles({ name: "photo.jpg", mimeType: "image/jpeg", buffer: photo });
    await page.getByText("Icon updated.").waitFor();
    // Then GET on the upload until the server has verified the stored file.
    expect(tusRequests.join(" ")).toMatch(/^POST PATCH( GET)+$/);
    await readyIcon(page).waitFor(processed);
    const icon = (await studioItem()).icon!;
    expect(icon).toMatchObject({ state: "ready", failure: null, width: 3000, height: 4000 });
    expect(icon.url).toMatch(/^\/media\/items\//);
    expect(icon.placeholder).toMatch(/^data:image\/webp;base64,/);
    expect(await sharp(Buffer.from(icon.placeholder!.split(",")[1]!, "base64")).metadata()).toMatchObject({ format: "webp", width: 16 });

    // Each variant: WebP at its width, upright (portrait, the red quadrant top right), no EXIF left.
    expect(icon.variants.map((v) => v.width)).toEqual([128, 512, 1280]);
    for (const variant of icon.variants) {
      expect(variant.url).toBe(`${icon.url}?w=${variant.width}`);
      const res = await fetch(`${server.url}${variant.url}`);
      expect(res.status, variant.url).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/webp");
      const bytes = Buffer.from(await res.arrayBuffer());
      const meta = await sharp(bytes).metadata();
      expect(meta, variant.url).toMatchObject({ format: "webp", width: variant.width, height: Math.round((variant.width * 4) / 3) });
      expect(meta.exif, variant.url).toBeUndefined();
      expect(meta.orientation, variant.url).toBeUndefined();
      expect(
        await Promise.all([
          colourAt(bytes, 0.75, 0.25),
          colourAt(bytes, 0.25, 0.25),
          colourAt(bytes, 0.25, 0.75),
          colourAt(bytes, 0.75, 0.75),
        ]),
        variant.url,
      ).toEqual(["red", "blue", "blue", "blue"]);
    }
    // The studio shows a variant, never the original (which keeps its EXIF, GPS…).
    await expect.poll(() => loadedFrom(page, ".studio-icon img")).toEqual([`${icon.url}?w=128`]);

    // A wide one and a small one, chosen together, added in that order, each processed in turn.
    const wide = png(2400, 1600, () => [200, 40, 40]);
    const small = png(640, 400, () => [40, 40, 200]);
    await page.getByLabel("Add screenshots").setInputFiles([
      { name: "wide.png", mimeType: "image/png", buffer: wide },
      { name: "small.png", mimeType: "image/png", buffer: small },
    ]);
    await page.getByText("2 screenshots added.").waitFor();
    await page.getByText("2 of 8.").waitFor();
    await expect.poll(() => studioScreenshotStates(page), processed).toEqual(["Ready", "Ready"]);
    const [wideUrl, smallUrl] = (await studioScreenshots(page)) as [string, string];

    // Reordered by dragging one onto the other's place, then with the buttons.
    const thumbnails = page.getByRole("list", { name: "Screenshots" }).getByRole("listitem");
    await thumbnails.nth(1).dragTo(thumbnails.nth(0));
    await expect.poll(() => studioScreenshots(page)).toEqual([smallUrl, wideUrl]);
    await page.getByRole("button", { name: "Move screenshot 1 down" }).click();
    await expect.poll(() => studioScreenshots(page)).toEqual([wideUrl, smallUrl]);
    await page.getByRole("button", { name: "Move screenshot 2 up" }).click();
    await expect.poll(() => studioScreenshots(page)).toEqual([smallUrl, wideUrl]);
    await shot(page, "1-media");

    // A visitor's storefront item page: each image as <img srcset> of its variants over its placeholder, sized before it loads.
    const visitor = await storefrontItemPage();
    const storefrontIcon = visitor.locator(".item-head .media");
    const iconImg = storefrontIcon.locator("img.icon.large");
    expect(await iconImg.getAttribute("srcset")).toBe(icon.variants.map((v) => `${v.url} ${v.width}w`).join(", "));
    expect(await iconImg.evaluate((img) => [img.getAttribute("sizes"), img.getAttribute("width"), img.getAttribute("height")])).toEqual([
      "96px",
      "96",
      "96",
    ]);
    expect(await storefrontIcon.locator("img.placeholder").getAttribute("src")).toBe(icon.placeholder);
    // The CSP lets the inline placeholder load (img-src data:).
    await expect.poll(() => naturalSize(visitor, ".item-head img.placeholder")).toEqual([`16x${Math.round((16 * 4) / 3)}`]);
    await expect.poll(() => loadedFrom(visitor, "img.icon.large")).toEqual([`${icon.url}?w=128`]);
    const shots = visitor.getByRole("region", { name: "Screenshots" }).getByRole("img");
    expect(
      await shots.evaluateAll((imgs) => imgs.map((i) => [i.getAttribute("loading"), i.getAttribute("width"), i.getAttribute("height")])),
    ).toEqual([
      ["lazy", "352", "220"],
      ["lazy", "330", "220"],
    ]);
    expect(await storefrontScreenshots(visitor)).toEqual([`${smallUrl}?w=512`, `${wideUrl}?w=512`]);
    expect(await shots.first().getAttribute("srcset")).toBe(`${smallUrl}?w=128 128w, ${smallUrl}?w=512 512w`);
    await shots.last().scrollIntoViewIfNeeded();
    await expect
      .poll(() => loadedFrom(visitor, "section[aria-labelledby=screenshots] img.shot"))
      .toEqual([`${smallUrl}?w=512`, `${wideUrl}?w=512`]);
    await shot(visitor, "2-storefront");
    await visitor.context().close();

    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Delete screenshot 2" }).click();
    await page.getByText("Screenshot 2 deleted.").waitFor();
    await expect.poll(() => studioScreenshots(page)).toEqual([smallUrl]);
    const later = await storefrontItemPage();
    expect(await storefrontScreenshots(later)).toEqual([`${smallUrl}?w=512`]);
    await later.context().close();
    expect((await fetch(`${server.url}${wideUrl}?w=512`)).status).toBe(404);

    // Dropping a file on the icon's zone replaces the icon (a 300 px square: one variant, 128 px).
    await page.getByText("Replace the icon").evaluate(async (label) => {
      const canvas = new OffscreenCanvas(300, 300);
      canvas.getContext("2d")!.fillRect(0, 0, 300, 300);
      const dropped = new DataTransfer();
      dropped.items.add(new File([await canvas.convertToBlob({ type: "image/png" })], "square.png", { type: "image/png" }));
      label.closest(".drop-zone")!.dispatchEvent(new DragEvent("drop", { dataTransfer: dropped, bubbles: true, cancelable: true }));
    });
    const replaced = await eventually("the dropped icon to replace the photo", async () => {
      const now = (await studioItem()).icon;
      return now && now.url !== icon.url && now;
    });
    await readyIcon(page).waitFor(processed);
    await expect.poll(() => loadedFrom(page, ".studio-icon img")).toEqual([`${replaced.url}?w=128`]);
    expect((await fetch(`${server.url}${icon.url}?w=128`)).status).toBe(404);
    await page.context().close();
    expect(pageErrors).toEqual([]);
  });

  test("a PDF named .png ends Failed with its reason in the studio, and the storefront never shows it", async () => {
    const page = await openAs(author, `/dashboard/items/${itemId}/media`);
    await page.getByText("1 of 8.").waitFor();
    const pdf = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
    await page.getByLabel("Add screenshots").setInputFiles({ name: "scan.png", mimeType: "image/png", buffer: pdf });
    await page.getByText("Screenshot added.").waitFor();
    await expect
      .poll(() => studioScreenshotStates(page), processed)
      .toEqual(["Ready", "Failed: not an image Plaza can read (JPEG, PNG, WebP, GIF or AVIF)"]);
    const failed = page.getByRole("list", { name: "Screenshots" }).getByRole("listitem").nth(1);
    expect(await failed.locator("img").count()).toBe(0);
    await shot(page, "3-failed");
    const [, failedUrl] = (await studioScreenshots(page)) as [string, string];
    expect((await fetch(`${server.url}${failedUrl}`)).status).toBe(404);

    const visitor = await storefrontItemPage();
    expect(await storefrontScreenshots(visitor)).toHaveLength(1);
    await visitor.context().close();

    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Delete screenshot 2" }).click();
    await page.getByText("Screenshot 2 deleted.").waitFor();
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
    // Created over tus (the metadata declares version, manifest and SHA-256), one PATCH, then the result read
    // (GET until the server has verified the stored file).
    const requests = uploadRequests.map((r) => r.replace(/\/v1\/tus\/[^/]+$/, "/v1/tus/{id}"));
    expect(requests.slice(0, 2)).toEqual(["POST /v1/tus", "PATCH /v1/tus/{id}"]);
    expect(new Set(requests.slice(2))).toEqual(new Set(["GET /v1/tus/{id}"]));

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

  test("a bundle that is not a .tar.gz, has no plaza.json or a plaza.json that is not JSON is refused before any upload, with the reason", async () => {
    const page = await openAs(author, `/dashboard/items/${itemId}/versions`);
    const form = page.getByRole("form", { name: "Publish a version" });
    const bundleError = form.locator('[data-error-for="bundle"]');
    const refused = async (name: string, buffer: Buffer, reason: string) => {
      await form.getByLabel("Bundle (.tar.gz)").setInputFiles({ name, mimeType: "application/gzip", buffer });
      await form.getByText(`${name} cannot be published.`).waitFor();
      await bundleError.getByText(reason).waitFor();
      expect(await form.getByRole("button", { name: "Publish version" }).isDisabled()).toBe(true);
    };
    const notTarGz = "This is not a .tar.gz archive. Choose the bundle that “plaza publish” packs (a gzipped tar).";
    await refused("notes.tar.gz", Buffer.from("plain text, not gzip\n"), notTarGz);
    // Gzip around something that is not a tar.
    await refused("notes.txt.gz", gzipSync(Buffer.from(JSON.stringify(manifestOf("1.2.0")).repeat(40))), notTarGz);
    await refused(
      "no-manifest.tar.gz",
      await packed({ "dist/index.js": "export default 1;\n", "src/plaza.json": JSON.stringify(manifestOf("1.2.0")) }),
      "The bundle has no plaza.json at its top level: it says which item and version this is.",
    );
    await refused("broken.tar.gz", await packed({ "plaza.json": '{ "name": "loom", ' }), "plaza.json in the bundle is not valid JSON:");
    await shot(page, "6-bundle-refused");
    await page.context().close();
    expect(pageErrors).toEqual([]);
  });

  test("a 20 MiB bundle whose plaza.json comes after its assets is read as it streams, hashed with progress shown, and published with Node's SHA-256", async () => {
    // Incompressible, and packed (in code-unit order) before dist/ and plaza.json: the manifest is
    // many stream chunks into the archive.
    const bytes = await bundle(manifestOf("1.2.0"), { "assets/noise.bin": randomBytes(20 * 1024 * 1024) });
    expect(bytes.length).toBeGreaterThan(20 * 1024 * 1024);
    const page = await openAs(author, `/dashboard/items/${itemId}/versions`);
    const form = page.getByRole("form", { name: "Publish a version" });
    await form.getByLabel("Bundle (.tar.gz)").setInputFiles({ name: "loom-1.2.0.tar.gz", mimeType: "application/gzip", buffer: bytes });
    // Shown once its plaza.json was read and passed the checks.
    await form.getByText("loom-1.2.0.tar.gz").waitFor();
    // The hashing's progress gives way to the upload's as soon as it is done: record the label of each one shown.
    await form.evaluate((el) => {
      const shown: string[] = [];
      (window as unknown as { progressShown: string[] }).progressShown = shown;
      new MutationObserver((records) => {
        for (const node of records.flatMap((r) => [...r.addedNodes])) {
          if (!(node instanceof HTMLElement)) continue;
          const progress = node.matches(".upload-progress") ? node : node.querySelector(".upload-progress");
          if (progress) shown.push(progress.firstElementChild!.textContent!);
        }
      }).observe(el, { childList: true, subtree: true });
    });
    await form.getByRole("button", { name: "Publish version" }).click();
    await page.getByText("Published 1.2.0 to the stable channel.").waitFor();
    const shown = await page.evaluate(() => (window as unknown as { progressShown: string[] }).progressShown);
    expect(shown[0]).toBe("Checking the bundle…");
    expect(shown).toContain("Uploading loom-1.2.0.tar.gz");
    const versions = await api<{ data: VersionT[] }>("GET", `/v1/items/${SLUG}/versions`);
    expect(versions.body.data.find((v) => v.version === "1.2.0")).toMatchObject({
      sha256: createHash("sha256").update(bytes).digest("hex"),
      size: bytes.length,
    });
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
