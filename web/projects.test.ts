/**
 * Projects in a real browser against `wrangler dev` and `partykit dev`, wired both ways: the Worker
 * mints room tokens for ROOMS_URL, the room stores snapshots at PLAZA_API_URL, both sharing one
 * ROOM_TOKEN_SECRET. Three members of one org: Ada (owner) and Grace (admin) edit, Linus (a
 * member of a project whose members may only view) watches. Two pages edit the same document and
 * see each other's text, carets with names, presence and typing; the reader's editor is not
 * editable and nothing he types reaches the others; a snapshot restores the text it holds.
 * Every wait polls (`eventually`, Playwright's auto-waiting).
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { assertViteBuild, launchChromium, newContext } from "../scripts/lib/browser.mjs";
import { eventually } from "../scripts/lib/eventually";
import { logInWhenAsked } from "../scripts/lib/log-in";
import { startPartykitDev } from "../scripts/lib/partykit-dev.mjs";
import { expectStatus, plazaApi } from "../scripts/lib/plaza-api";
import { startPlazaWithRooms } from "../scripts/lib/plaza-with-rooms.mjs";
import { WAIT } from "../scripts/lib/wait-budgets.mjs";
import type { startWranglerDev } from "../scripts/lib/wrangler-dev.mjs";
import type { AuthTokensT, MeT, OrgT } from "../shared/api";
import type { ProjectT } from "../shared/projects";

const SCREENSHOTS = "/tmp/plaza-projects";
const RUN = Date.now().toString(36);
const ada = { name: "Ada Lovelace", email: `ada-${RUN}@example.com`, password: "notes on the engine" };
const grace = { name: "Grace Hopper", email: `grace-${RUN}@example.com`, password: "compilers and nanoseconds" };
const linus = { name: "Linus Reader", email: `linus-${RUN}@example.com`, password: "just here to watch" };
const ORG = "Analytical Engines";
const PROJECT = "Orbit notes";

let api: Awaited<ReturnType<typeof startWranglerDev>>;
let rooms: Awaited<ReturnType<typeof startPartykitDev>>;
let browser: Browser;
const { api: call, signUpAndLogIn } = plazaApi(() => api.url);
const pageErrors: string[] = [];
const contexts: BrowserContext[] = [];
let projectPath: string;
let roomsOptions: Parameters<typeof startPartykitDev>[0];

async function mailLink(to: string, path: string): Promise<string> {
  return eventually(`an e-mail to ${to} with a ${path} link`, async () => {
    const { body } = await call<{ data: { to: string; text: string }[] }>("GET", "/dev/mailbox.json");
    for (const mail of body.data.filter((m) => m.to === to)) {
      const link = new RegExp(`https?://\\S+${path.replace(/[/?]/g, "\\$&")}\\?token=\\S+`).exec(mail.text)?.[0];
      if (link) return link;
    }
    return undefined;
  });
}

/** `user` joins the org as `role` through an invitation, and makes it their active org. */
async function joinOrg(ownerToken: string, orgId: string, user: typeof ada, role: "admin" | "member") {
  const token = await signUpAndLogIn(user);
  expectStatus(await call("POST", `/v1/orgs/${orgId}/invites`, { email: user.email, role }, ownerToken), 201, `invite ${user.email}`);
  const inviteToken = new URL(await mailLink(user.email, "/invites/accept")).searchParams.get("token");
  const accepted = await call("POST", "/v1/invites/accept", { token: inviteToken }, token);
  if (accepted.status >= 300) throw new Error(`accept invite: ${accepted.status} ${JSON.stringify(accepted.body)}`);
  expectStatus(await call("PUT", "/v1/me/active-org", { orgId }, token), 204, "switch org");
}

/** Opens `path` signed in as `user` (through the login form's `?next=`). */
async function openAs(user: typeof ada, path: string): Promise<Page> {
  const context = await newContext(browser, { baseURL: api.url, viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(`${user.name}: ${String(err)}`));
  await page.goto(path);
  await logInWhenAsked(page, user, path);
  return page;
}

const editorOf = (page: Page) => page.locator(".project-editor .ProseMirror");
const editorText = async (page: Page) => (await editorOf(page).textContent()) ?? "";
const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
/** For a step that waits on the room: a connection, an edit, presence or a caret relayed, a snapshot stored. */
const viaRoom = { timeout: WAIT.backgroundWork };
const connected = (page: Page) => page.locator('[data-testid="connection-status"][data-state="connected"]').waitFor(viaRoom);
const presence = (page: Page, name: string) =>
  page.getByRole("list", { name: "People here" }).locator(".presence-person").filter({ hasText: name });

/** Waits until `page`'s editor shows `text` (the room delivered it). */
const seesText = (page: Page, text: string, who: string) =>
  eventually(`${who} to see “${text}”`, async () => (await editorText(page)).includes(text));

beforeAll(async () => {
  assertViteBuild();
  mkdirSync(SCREENSHOTS, { recursive: true });
  ({ api, rooms, roomsOptions } = await startPlazaWithRooms());
  browser = await launchChromium();
  const adaToken = await signUpAndLogIn(ada);
  const org = await call<OrgT>("POST", "/v1/orgs", { name: ORG, slug: `engines-${RUN}` }, adaToken);
  expectStatus(org, 201, "create org");
  await joinOrg(adaToken, org.body.id, grace, "admin");
  await joinOrg(adaToken, org.body.id, linus, "member");
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  await Promise.all([rooms?.stop(), api?.stop()]);
});

describe("projects page", () => {
  let adaPage: Page;
  let gracePage: Page;

  test("an owner creates a project whose members may only view, and lands in its live editor", async () => {
    adaPage = await openAs(ada, "/dashboard/projects");
    await adaPage.getByRole("heading", { level: 1, name: `Projects · ${ORG}` }).waitFor();
    await adaPage.getByRole("region", { name: "Projects" }).getByText("No projects yet.").waitFor();
    const form = adaPage.getByRole("form", { name: "New project" });
    await form.getByRole("button", { name: "Create project" }).click();
    await form.getByText("Is required").waitFor();
    await form.getByLabel("Name").fill(PROJECT);
    await form.getByLabel("Members may").selectOption({ label: "Only view" });
    await form.getByRole("button", { name: "Create project" }).click();
    await adaPage.waitForURL(/\/dashboard\/projects\/prj_/);
    projectPath = new URL(adaPage.url()).pathname;
    await adaPage.getByRole("heading", { level: 1, name: PROJECT }).waitFor();
    await connected(adaPage);
    expect(await editorOf(adaPage).getAttribute("contenteditable")).toBe("true");
    await presence(adaPage, ada.name).getByText("(you)").waitFor(viaRoom);

    await adaPage.getByRole("link", { name: "Projects", exact: true }).first().click();
    await adaPage.getByRole("region", { name: "Projects" }).getByRole("row").filter({ hasText: PROJECT }).getByText("Only view").waitFor();
    expect(pageErrors).toEqual([]);
  });

  test("two editors see each other's text, carets with names and colours, presence and typing", async () => {
    await adaPage.goto(projectPath);
    gracePage = await openAs(grace, projectPath);
    await Promise.all([connected(adaPage), connected(gracePage)]);

    await editorOf(adaPage).click();
    await adaPage.keyboard.type("Hello from Ada.");
    await seesText(gracePage, "Hello from Ada.", "Grace");
    // While Ada types, Grace sees it; it clears once Ada has been idle for a moment.
    await adaPage.keyboard.type(" More");
    await presence(gracePage, ada.name).and(gracePage.locator('[data-typing="true"]')).getByText("typing…").waitFor(viaRoom);
    await presence(gracePage, ada.name).and(gracePage.locator('[data-typing="false"]')).waitFor(viaRoom);

    await editorOf(gracePage).click();
    await gracePage.keyboard.press("End");
    await gracePage.keyboard.type(" Grace was here.");
    await seesText(adaPage, "Grace was here.", "Ada");

    // Each sees the other's caret, labelled with the other's name, in the other's colour.
    const graceCaretAtAda = adaPage
      .locator(".collaboration-carets__caret")
      .filter({ has: adaPage.locator(".collaboration-carets__label", { hasText: grace.name }) });
    const adaCaretAtGrace = gracePage
      .locator(".collaboration-carets__caret")
      .filter({ has: gracePage.locator(".collaboration-carets__label", { hasText: ada.name }) });
    await Promise.all([graceCaretAtAda.waitFor(viaRoom), adaCaretAtGrace.waitFor(viaRoom)]);
    const graceSwatch = await presence(adaPage, grace.name)
      .locator(".presence-swatch")
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    const graceCaretColor = await graceCaretAtAda
      .locator(".collaboration-carets__label")
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(graceCaretColor).toBe(graceSwatch);

    for (const page of [adaPage, gracePage]) {
      await presence(page, ada.name).waitFor(viaRoom);
      await presence(page, grace.name).waitFor(viaRoom);
    }
    await shot(adaPage, "1-ada");
    await shot(gracePage, "2-grace");
    expect(pageErrors).toEqual([]);
  });

  test("a read-only member watches: the editor is not editable and what he types never reaches the others", async () => {
    const linusPage = await openAs(linus, projectPath);
    await connected(linusPage);
    await linusPage.getByText("Read-only.").waitFor();
    await seesText(linusPage, "Grace was here.", "Linus");
    expect(await editorOf(linusPage).getAttribute("contenteditable")).toBe("false");
    await presence(adaPage, linus.name).waitFor(viaRoom);

    await editorOf(linusPage).click();
    await linusPage.keyboard.type("Reader scribbles");
    // Ada writes after Linus typed; once her words reach Linus, anything of his would have reached her.
    await editorOf(adaPage).click();
    await adaPage.keyboard.press("End");
    await adaPage.keyboard.type(" After the reader.");
    await seesText(linusPage, "After the reader.", "Linus");
    await seesText(gracePage, "After the reader.", "Grace");
    for (const page of [adaPage, gracePage, linusPage]) expect(await editorText(page)).not.toContain("Reader scribbles");
    // Readers inspect snapshots but neither take nor restore them.
    const snapshots = linusPage.getByRole("region", { name: "Snapshots" });
    await snapshots.getByRole("button", { name: "Refresh" }).waitFor();
    expect(await snapshots.getByRole("button", { name: "Snapshot now" }).count()).toBe(0);
    expect(await snapshots.getByRole("button", { name: "Restore" }).count()).toBe(0);
    await shot(linusPage, "3-reader");
    await linusPage.context().close();
    await presence(adaPage, linus.name).waitFor({ ...viaRoom, state: "detached" });
    expect(pageErrors).toEqual([]);
  });

  test("Snapshot now keeps the text; Restore brings it back for everyone", async () => {
    const snapshots = adaPage.getByRole("region", { name: "Snapshots" });
    const before = await snapshots.locator("tr[data-snapshot-id]").count();
    await snapshots.getByRole("button", { name: "Snapshot now" }).click();
    await adaPage.locator(".toast").filter({ hasText: "Snapshot taken" }).waitFor(viaRoom);
    await eventually("the new snapshot in the list", async () => (await snapshots.locator("tr[data-snapshot-id]").count()) > before);
    const taken = snapshots.locator("tr[data-snapshot-id]").filter({ hasText: "On demand" }).first();
    await taken.getByRole("button", { name: "Inspect" }).click();
    await eventually("the snapshot's text", async () =>
      ((await adaPage.getByTestId("snapshot-text").textContent()) ?? "").includes("After the reader."),
    );
    const snapshotId = (await taken.getAttribute("data-snapshot-id"))!;

    await editorOf(adaPage).click();
    await adaPage.keyboard.press("ControlOrMeta+a");
    await adaPage.keyboard.type("Everything replaced");
    await seesText(gracePage, "Everything replaced", "Grace");
    expect(await editorText(gracePage)).not.toContain("Hello from Ada.");

    adaPage.once("dialog", (dialog) => void dialog.accept());
    await snapshots.locator(`tr[data-snapshot-id="${snapshotId}"]`).getByRole("button", { name: "Restore" }).click();
    await adaPage.locator(".toast").filter({ hasText: "Restored the snapshot" }).waitFor(viaRoom);
    for (const [page, who] of [
      [adaPage, "Ada"],
      [gracePage, "Grace"],
    ] as const) {
      await seesText(page, "After the reader.", who);
      await eventually(`${who}'s editor without the replaced text`, async () => !(await editorText(page)).includes("Everything replaced"));
    }
    await snapshots.getByRole("button", { name: "Refresh" }).click();
    await snapshots.locator("tr[data-snapshot-id]").filter({ hasText: "After a restore" }).first().waitFor(viaRoom);
    await shot(adaPage, "4-restored");
    expect(pageErrors).toEqual([]);
  });

  test("when the rooms go down the status says offline; back up, both reconnect with fresh tokens and edit again", async () => {
    const tokenRequests = () => {
      let count = 0;
      adaPage.on("request", (req) => void (req.method() === "POST" && req.url().endsWith("/room-token") && count++));
      return () => count;
    };
    const minted = tokenRequests();
    await rooms.stop();
    await Promise.all(
      [adaPage, gracePage].map((page) =>
        page
          .locator('[data-testid="connection-status"][data-state="reconnecting"]')
          .getByText(/^Offline/)
          .waitFor(viaRoom),
      ),
    );
    rooms = await startPartykitDev(roomsOptions);
    await Promise.all([connected(adaPage), connected(gracePage)]);
    expect(minted()).toBeGreaterThan(0);

    await editorOf(adaPage).click();
    await adaPage.keyboard.press("End");
    await adaPage.keyboard.type(" Back online.");
    await seesText(gracePage, "Back online.", "Grace");
    await seesText(gracePage, "After the reader.", "Grace");
    expect(pageErrors).toEqual([]);
  });

  test("settings check the JSON state; assets upload, list, download and delete", async () => {
    const settings = adaPage.getByRole("form", { name: "Project settings" });
    const state = settings.getByLabel("State (JSON)");
    await state.fill("{ not json");
    await settings.getByRole("button", { name: "Save settings" }).click();
    await settings.getByText(/Is not valid JSON/).waitFor();
    await state.fill("[1, 2]");
    await settings.getByRole("button", { name: "Save settings" }).click();
    await settings.getByText(/Must be a JSON object/).waitFor();
    await state.fill('{ "theme": "dark" }');
    await settings.getByLabel("Name").fill(`${PROJECT} v2`);
    await settings.getByRole("button", { name: "Save settings" }).click();
    await adaPage.getByRole("heading", { level: 1, name: `${PROJECT} v2` }).waitFor();
    const saved = await call<ProjectT>(
      "GET",
      `/v1/orgs/${await adaOrgId()}/projects/${projectPath.split("/").pop()}`,
      undefined,
      await tokenOf(ada),
    );
    expect(saved.body.state).toEqual({ theme: "dark" });

    const assets = adaPage.getByRole("region", { name: "Assets" });
    // `%`, `#` and `?` mean something in a URL path: the name reaches the API only if the page encodes it.
    const asset = "Orbit #2 (50% done?).txt";
    await assets.getByLabel("File").setInputFiles({ name: asset, mimeType: "text/plain", buffer: Buffer.from("orbit data") });
    await assets.getByRole("button", { name: "Upload" }).click();
    const row = assets.locator(`tr[data-asset-name="${asset}"]`);
    await row.getByText("text/plain").waitFor();
    const [download] = await Promise.all([
      adaPage.waitForEvent("download"),
      row.getByRole("button", { name: `Download ${asset}` }).click(),
    ]);
    // Chromium saves `?`, which file systems may refuse, as `_`.
    expect(download.suggestedFilename()).toBe(asset.replace("?", "_"));
    expect(readFileSync(await download.path(), "utf8")).toBe("orbit data");
    adaPage.once("dialog", (dialog) => void dialog.accept());
    await row.getByRole("button", { name: `Delete ${asset}` }).click();
    await row.waitFor({ state: "detached" });
    await assets.getByText("No assets yet.").waitFor();

    // An image asset is processed after upload: one that is not an image ends Failed, with the reason, and no download.
    await assets.getByLabel("File").setInputFiles({ name: "scan.png", mimeType: "image/png", buffer: Buffer.from("%PDF-1.4\n%%EOF\n") });
    await assets.getByRole("button", { name: "Upload" }).click();
    const failed = assets.locator('tr[data-asset-name="scan.png"]');
    await failed
      .locator('[data-state="failed"]')
      .getByText("Failed: not an image Plaza can read (JPEG, PNG, WebP, GIF or AVIF)")
      .waitFor(viaRoom);
    expect(await failed.getByRole("button", { name: "Download scan.png" }).count()).toBe(0);
    adaPage.once("dialog", (dialog) => void dialog.accept());
    await failed.getByRole("button", { name: "Delete scan.png" }).click();
    await assets.getByText("No assets yet.").waitFor();
    expect(pageErrors).toEqual([]);
  });

  test("large assets go over tus with Uppy: offline mid-upload and back, Pause and Resume, a reload that resumes, Cancel", async () => {
    await adaPage.goto(projectPath);
    const assets = adaPage.getByRole("region", { name: "Assets" });
    const tusRequests: string[] = [];
    adaPage.on("request", (req) => {
      if (new URL(req.url()).pathname.startsWith("/v1/tus")) tusRequests.push(req.method());
    });
    // Slow uploads (4 MiB/s) so that each step lands mid-upload; files on disk keep their date, as the resume fingerprint needs.
    const cdp = await adaPage.context().newCDPSession(adaPage);
    const throttle = () =>
      cdp.send("Network.emulateNetworkConditions", {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: 4 * 1024 * 1024,
      });
    const dir = mkdtempSync(join(tmpdir(), "plaza-uppy-"));
    const bigFile = (name: string) => {
      const path = join(dir, name);
      writeFileSync(path, randomBytes(24 * 1024 * 1024));
      return path;
    };
    const upload = assets.locator(".resumable-upload");
    const percent = async () => Number(await upload.locator("progress").evaluate((p) => (p as HTMLProgressElement).value));
    const midUpload = () => eventually("the upload to be under way", async () => ((await percent()) > 0 ? true : undefined));
    /** Listed with its size and as ready: not an image, so nothing to process. */
    const listed = async (name: string) => {
      const row = assets.locator(`tr[data-asset-name="${name}"]`);
      await row.getByText("25 MB").waitFor(viaRoom);
      await row.locator('[data-state="ready"]').getByText("Ready").waitFor();
      await row.getByRole("button", { name: `Download ${name}` }).waitFor();
      await upload.waitFor({ state: "detached" });
    };

    // Offline mid-upload, then back: Uppy resumes from the server's offset and finishes; one upload was created.
    await throttle();
    await assets.getByLabel("File").setInputFiles(bigFile("offline.bin"));
    await assets.getByRole("button", { name: "Upload" }).click();
    await midUpload();
    await adaPage.context().setOffline(true);
    await assets
      .locator('.resumable-upload[data-state="offline"]')
      .getByText(/Offline/)
      .waitFor();
    expect(await percent()).toBeLessThan(100);
    await adaPage.context().setOffline(false);
    await listed("offline.bin");
    // Chromium holds the PATCH in flight while offline and lets it go on after: one upload, never restarted.
    expect(tusRequests.filter((m) => m === "POST")).toHaveLength(1);

    // Pause stops it, Resume goes on; paused again, the page reloads and the same file chosen again resumes it.
    tusRequests.length = 0;
    await throttle();
    const resumable = bigFile("resumable.bin");
    await assets.getByLabel("File").setInputFiles(resumable);
    await assets.getByRole("button", { name: "Upload" }).click();
    await midUpload();
    await upload.getByRole("button", { name: "Pause" }).click();
    await upload.getByText(/Paused at \d+%/).waitFor();
    const pausedAt = await percent();
    await upload.getByRole("button", { name: "Resume" }).click();
    await eventually("the upload to go on after Resume", async () => (await percent()) > pausedAt);
    await upload.getByRole("button", { name: "Pause" }).click();
    await upload.getByText(/Paused at \d+%/).waitFor();
    await shot(adaPage, "7-upload-paused");
    await adaPage.reload();
    await assets.getByLabel("File").setInputFiles(resumable);
    await assets.getByRole("button", { name: "Upload" }).click();
    await listed("resumable.bin");
    // Resumed from the offset HEAD reported, not created again; the stored bytes are the file's.
    expect(tusRequests.filter((m) => m === "POST")).toHaveLength(1);
    expect(tusRequests).toContain("HEAD");
    const stored = await fetch(`${api.url}/v1/orgs/${await adaOrgId()}/projects/${projectPath.split("/").pop()}/assets/resumable.bin`, {
      headers: { authorization: `Bearer ${await tokenOf(ada)}` },
    });
    expect(stored.status).toBe(200);
    const digest = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
    expect(digest(new Uint8Array(await stored.arrayBuffer()))).toBe(digest(readFileSync(resumable)));

    // Cancel ends the upload on the server (DELETE) and nothing is listed.
    tusRequests.length = 0;
    await throttle();
    await assets.getByLabel("File").setInputFiles(bigFile("canceled.bin"));
    await assets.getByRole("button", { name: "Upload" }).click();
    await midUpload();
    await upload.getByRole("button", { name: "Cancel" }).click();
    await adaPage.getByText("The upload of canceled.bin was canceled.").waitFor();
    await eventually("the upload to be terminated", () => tusRequests.includes("DELETE"));
    await upload.waitFor({ state: "detached" });
    expect(await assets.locator('tr[data-asset-name="canceled.bin"]').count()).toBe(0);
    await cdp.detach();
    rmSync(dir, { recursive: true, force: true });
    expect(pageErrors).toEqual([]);
  });

  test("more projects than a page: the list shows 50, and Load more the rest", async () => {
    const [token, orgId] = [await tokenOf(ada), await adaOrgId()];
    for (let i = 0; i < 50; i++)
      expectStatus(await call("POST", `/v1/orgs/${orgId}/projects`, { name: `Extra ${i}` }, token), 201, `project ${i}`);
    await adaPage.goto("/dashboard/projects");
    const list = adaPage.getByRole("region", { name: "Projects" });
    const rows = list.locator("tr[data-project-id]");
    await list.getByRole("link", { name: "Extra 49" }).waitFor();
    expect(await rows.count()).toBe(50);
    await list.getByRole("button", { name: "Load more" }).click();
    await list.getByRole("link", { name: `${PROJECT} v2` }).waitFor();
    expect(await rows.count()).toBe(51);
    expect(await list.getByRole("button", { name: "Load more" }).count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});

/** API access for checks the page does not show. */
async function tokenOf(user: typeof ada): Promise<string> {
  const login = await call<AuthTokensT>("POST", "/v1/auth/login", { email: user.email, password: user.password });
  expectStatus(login, 200, "login");
  return login.body.accessToken;
}
async function adaOrgId(): Promise<string> {
  const me = await call<MeT>("GET", "/v1/me", undefined, await tokenOf(ada));
  return me.body.activeOrgId!;
}
