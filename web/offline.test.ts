/**
 * Offline-first in a real browser (issue #19), against `wrangler dev` and `partykit dev`:
 * 1. Ada edits a project's document and settings offline, reloads offline (the app shell and the
 *    project come from the service worker and IndexedDB), edits more, closes the browser, opens it
 *    again with the same profile and goes online: everything reaches Plaza and Grace, and
 *    SaveStatus goes Offline → Saving… → Saved.
 * 2. Ada and Grace edit one project offline at once: the texts merge, different settings merge,
 *    and the name both changed is offered to Grace to choose.
 * 3. An answer lost on the way back (the request reached Plaza): the queue's replay carries the same
 *    Idempotency-Key and the snapshot is taken once.
 * `context.setOffline` cuts HTTP, not open WebSockets (Playwright #4910); the app closes its room
 * socket on the browser's `offline` event, which is what a person's browser does too.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { assertViteBuild, CHROMIUM_ARGS, CHROMIUM_PATH, launchChromium, newContext } from "../scripts/lib/browser.mjs";
import { eventually } from "../scripts/lib/eventually";
import { logInWhenAsked } from "../scripts/lib/log-in";
import type { startPartykitDev } from "../scripts/lib/partykit-dev.mjs";
import { expectStatus, plazaApi } from "../scripts/lib/plaza-api";
import { startPlazaWithRooms } from "../scripts/lib/plaza-with-rooms.mjs";
import { WAIT } from "../scripts/lib/wait-budgets.mjs";
import type { startWranglerDev } from "../scripts/lib/wrangler-dev.mjs";
import type { OrgT } from "../shared/api";
import type { ProjectT, SnapshotSummaryT } from "../shared/projects";

const RUN = Date.now().toString(36);
const ada = { name: "Ada Offline", email: `ada-offline-${RUN}@example.com`, password: "notes kept on the device" };
const grace = { name: "Grace Offline", email: `grace-offline-${RUN}@example.com`, password: "merges without losing a word" };
type Person = typeof ada;

let api: Awaited<ReturnType<typeof startWranglerDev>>;
let rooms: Awaited<ReturnType<typeof startPartykitDev>>;
let browser: Browser;
const { api: call, signUpAndLogIn, joinOrg } = plazaApi(() => api.url);
const tokens = new Map<Person, string>();
const contexts: BrowserContext[] = [];
const profiles: string[] = [];
const pageErrors: string[] = [];
let orgId: string;

const viaRoom = { timeout: WAIT.backgroundWork };
const editorOf = (page: Page) => page.locator(".project-editor .ProseMirror");
const editorText = async (page: Page) => (await editorOf(page).textContent()) ?? "";
const seesText = (page: Page, text: string, who: string) =>
  eventually(`${who} to see “${text}”`, async () => (await editorText(page)).includes(text));
const connected = (page: Page) => page.locator('[data-testid="connection-status"][data-state="connected"]').waitFor(viaRoom);
const saveStatus = (page: Page) => page.getByTestId("save-status");
const saveState = (page: Page, state: string, text?: RegExp) =>
  saveStatus(page)
    .and(page.locator(`[data-state="${state}"]`))
    .filter(text ? { hasText: text } : {})
    .waitFor(viaRoom);
const settingsOf = (page: Page) => page.getByRole("form", { name: "Project settings" });

/** Every state SaveStatus shows on a page, in order, from its first paint (an init script: it survives reloads). */
const RECORD_SAVE_STATES = `
  window.__saveStates = [];
  new MutationObserver(() => {
    const state = document.querySelector('[data-testid="save-status"]')?.getAttribute("data-state");
    if (state && window.__saveStates.at(-1) !== state) window.__saveStates.push(state);
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-state"] });
`;
const saveStates = (page: Page) => page.evaluate(() => (window as unknown as { __saveStates: string[] }).__saveStates);

function track(context: BrowserContext, who: string): BrowserContext {
  context.setDefaultTimeout(WAIT.step);
  contexts.push(context);
  const watch = (page: Page) => page.on("pageerror", (err) => pageErrors.push(`${who}: ${String(err)}`));
  // A persistent context opens with a page already there.
  for (const page of context.pages()) watch(page);
  context.on("page", watch);
  return context;
}

/** Cuts (or restores) the context's network: its pages' and its service worker's requests. */
const setOffline = (context: BrowserContext, offline: boolean) => context.setOffline(offline);

/** A browser profile on disk (its storage, service worker and cookies survive closing it), optionally starting offline. */
async function persistentContext(dir: string, who: string, offline = false): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    baseURL: api.url,
    viewport: { width: 1280, height: 900 },
  });
  await context.addInitScript(RECORD_SAVE_STATES);
  if (offline) {
    await setOffline(context, true);
    // Playwright applies offline to a service worker it knows: one that starts later (a browser
    // reopened offline) would still reach Plaza. A precached file starts it; then offline again.
    await (context.pages()[0] ?? (await context.newPage())).goto("/favicon.svg");
    await setOffline(context, false);
    await setOffline(context, true);
  }
  return track(context, who);
}

/** Signs `person` in through the login form on the way to `path`, then waits until the service worker controls the page and has seen its reads once. */
async function signIn(context: BrowserContext, person: Person, path: string): Promise<Page> {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(path);
  await logInWhenAsked(page, person, path);
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  // Loaded again under the worker: the page's reads now pass through it and are kept for offline.
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await connected(page);
  return page;
}

async function newProject(name: string): Promise<string> {
  const project = await call<ProjectT>("POST", `/v1/orgs/${orgId}/projects`, { name }, tokens.get(ada));
  expectStatus(project, 201, `create ${name}`);
  return project.body.id;
}

const projectOnServer = async (projectId: string) => {
  const project = await call<ProjectT>("GET", `/v1/orgs/${orgId}/projects/${projectId}`, undefined, tokens.get(ada));
  expectStatus(project, 200, "read the project");
  return project.body;
};

async function typeAtEnd(page: Page, text: string): Promise<void> {
  await editorOf(page).click();
  await page.keyboard.press("ControlOrMeta+End");
  await page.keyboard.type(text);
}

async function saveSettings(page: Page, fields: { name?: string; channel?: "stable" | "beta"; state?: string }): Promise<void> {
  const settings = settingsOf(page);
  if (fields.name !== undefined) await settings.getByLabel("Name").fill(fields.name);
  if (fields.channel) await settings.getByLabel("Update channel").selectOption(fields.channel);
  if (fields.state !== undefined) await settings.getByLabel("State (JSON)").fill(fields.state);
  await settings.getByRole("button", { name: "Save settings" }).click();
}

beforeAll(async () => {
  assertViteBuild();
  ({ api, rooms } = await startPlazaWithRooms());
  browser = await launchChromium();
  tokens.set(ada, await signUpAndLogIn(ada));
  tokens.set(grace, await signUpAndLogIn(grace));
  const org = await call<OrgT>("POST", "/v1/orgs", { name: "Offline Works", slug: `offline-${RUN}` }, tokens.get(ada));
  expectStatus(org, 201, "create org");
  orgId = org.body.id;
  await joinOrg(tokens.get(ada)!, orgId, { email: grace.email, token: tokens.get(grace)! }, "admin");
  expectStatus(await call("PUT", "/v1/me/active-org", { orgId }, tokens.get(grace)), 204, "Grace's active org");
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  await Promise.all([rooms?.stop(), api?.stop()]);
  for (const dir of profiles) rmSync(dir, { recursive: true, force: true });
});

describe("offline-first", () => {
  test("edits made offline survive a reload and a browser restart, then reach Plaza and a second browser", async () => {
    const projectId = await newProject("Field notes");
    const path = `/dashboard/projects/${projectId}`;
    const profile = mkdtempSync(join(tmpdir(), "plaza-offline-profile-"));
    profiles.push(profile);

    let context = await persistentContext(profile, "Ada");
    let page = await signIn(context, ada, path);
    await saveState(page, "saved");

    await setOffline(context, true);
    await page.locator('[data-testid="connection-status"][data-state="offline"]').waitFor(viaRoom);
    await typeAtEnd(page, "Written offline.");
    await saveState(page, "offline", /Offline \(1 change waiting\)/);
    await saveSettings(page, { name: "Field notes (offline)", state: '{ "theme": "dark" }' });
    await page.locator(".toast").filter({ hasText: "Saved on this device" }).waitFor();
    await saveState(page, "offline", /Offline \(2 changes waiting\)/);

    // A reload with no network: the app and the project come from this device.
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "Field notes (offline)" }).waitFor();
    await page
      .getByText(/Offline copy from/)
      .first()
      .waitFor();
    await seesText(page, "Written offline.", "Ada after an offline reload");
    await saveState(page, "offline", /Offline \(2 changes waiting\)/);
    await typeAtEnd(page, " More offline.");
    await saveSettings(page, { channel: "beta" });
    await saveState(page, "offline", /Offline \(3 changes waiting\)/);

    // The browser closes and opens again on the same profile, still offline.
    await context.close();
    context = await persistentContext(profile, "Ada", true);
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(path);
    await page.getByRole("heading", { level: 1, name: "Field notes (offline)" }).waitFor();
    await seesText(page, "Written offline. More offline.", "Ada after a restart");
    await saveState(page, "offline", /Offline \(3 changes waiting\)/);

    await setOffline(context, false);
    await saveState(page, "saved");
    await connected(page);
    const states = await saveStates(page);
    const order = ["offline", "saving", "saved"].map((s) => states.indexOf(s));
    expect(order, `SaveStatus went ${states.join(" → ")}`).toEqual([...order].sort((a, b) => a - b));
    expect(
      order.every((i) => i >= 0),
      `SaveStatus went ${states.join(" → ")}`,
    ).toBe(true);

    const saved = await projectOnServer(projectId);
    expect(saved).toMatchObject({ name: "Field notes (offline)", channel: "beta", state: { theme: "dark" } });
    const graceContext = track(await newContext(browser, { baseURL: api.url }), "Grace");
    const gracePage = await signIn(graceContext, grace, path);
    await seesText(gracePage, "Written offline. More offline.", "Grace");
    await gracePage.getByRole("heading", { level: 1, name: "Field notes (offline)" }).waitFor();
    await graceContext.close();
    expect(pageErrors).toEqual([]);
  });

  test("two people offline at once: texts and different settings merge; the name both changed is theirs to choose", async () => {
    const projectId = await newProject("Shared plans");
    const path = `/dashboard/projects/${projectId}`;
    const adaContext = track(await newContext(browser, { baseURL: api.url }), "Ada");
    const graceContext = track(await newContext(browser, { baseURL: api.url }), "Grace");
    const [adaPage, gracePage] = await Promise.all([signIn(adaContext, ada, path), signIn(graceContext, grace, path)]);
    await Promise.all([setOffline(adaContext, true), setOffline(graceContext, true)]);

    await typeAtEnd(adaPage, "Ada's paragraph.");
    await typeAtEnd(gracePage, "Grace's paragraph.");
    await saveSettings(adaPage, { name: "Plans by Ada", state: '{ "theme": "dark" }' });
    await saveSettings(gracePage, { name: "Plans by Grace", channel: "beta" });
    await Promise.all([saveState(adaPage, "offline", /2 changes waiting/), saveState(gracePage, "offline", /2 changes waiting/)]);

    await setOffline(adaContext, false);
    await saveState(adaPage, "saved");
    await setOffline(graceContext, false);
    // Grace's name meets Ada's: both are shown, hers preselected.
    const choice = gracePage.getByRole("form", { name: "Choose which values to keep" });
    await choice.waitFor(viaRoom);
    await saveState(gracePage, "error", /needs your choice/);
    await choice.getByText("Plans by Grace").waitFor();
    await choice.getByText("Plans by Ada").waitFor();
    await choice.getByRole("button", { name: "Keep these values" }).click();
    await saveState(gracePage, "saved");

    for (const [page, who] of [
      [adaPage, "Ada"],
      [gracePage, "Grace"],
    ] as const) {
      await seesText(page, "Ada's paragraph.", who);
      await seesText(page, "Grace's paragraph.", who);
    }
    expect(await projectOnServer(projectId)).toMatchObject({ name: "Plans by Grace", channel: "beta", state: { theme: "dark" } });
    // Ada's page, read again, shows the merged settings.
    await adaPage.reload();
    await adaPage.getByRole("heading", { level: 1, name: "Plans by Grace" }).waitFor();
    expect(await settingsOf(adaPage).getByLabel("State (JSON)").inputValue()).toContain('"theme": "dark"');
    expect(pageErrors).toEqual([]);
  });

  test("a snapshot request whose answer was lost is replayed with its key and taken once", async () => {
    const projectId = await newProject("Lost answers");
    const path = `/dashboard/projects/${projectId}`;
    const context = track(await newContext(browser, { baseURL: api.url }), "Ada");
    const page = await signIn(context, ada, path);
    await typeAtEnd(page, "Worth a snapshot.");
    const takePath = `/v1/orgs/${orgId}/projects/${projectId}/snapshots`;
    const manualSnapshots = async () => {
      const list = await call<{ snapshots: SnapshotSummaryT[] }>("GET", takePath, undefined, tokens.get(ada));
      return list.body.snapshots.filter((s) => s.reason === "manual").length;
    };
    expect(await manualSnapshots()).toBe(0);

    // The first request reaches Plaza; its answer never comes back to the page.
    const keys: string[] = [];
    const replayed: string[] = [];
    await page.route(`**${takePath}`, async (route) => {
      if (route.request().method() !== "POST") return route.continue();
      keys.push(route.request().headers()["idempotency-key"] ?? "");
      if (keys.length === 1) {
        await route.fetch();
        return route.abort("connectionreset");
      }
      const response = await route.fetch();
      replayed.push(response.headers()["idempotent-replayed"] ?? "");
      return route.fulfill({ response });
    });
    await page.getByRole("region", { name: "Snapshots" }).getByRole("button", { name: "Snapshot now" }).click();
    await page.getByRole("region", { name: "Snapshots" }).locator("tr[data-snapshot-id]").filter({ hasText: "On demand" }).waitFor(viaRoom);
    await saveState(page, "saved");

    expect(keys.length).toBe(2);
    expect(keys[1]).toBe(keys[0]);
    expect(replayed).toEqual(["true"]);
    expect(await manualSnapshots()).toBe(1);
    expect(pageErrors).toEqual([]);
  });
});
