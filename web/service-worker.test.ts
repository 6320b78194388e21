/**
 * The service worker (web/src/sw.ts) in Chromium against the real Worker: the app starts offline
 * from its cache with the dashboard's last API answers marked "Offline copy from <time>", the
 * storefront is never answered by it, a new deploy waits for "Reload" and never mixes with the
 * running one, and signing out deletes the local data.
 *
 * Offline: Playwright (1.65) applies `context.setOffline` to service workers' own fetches in
 * Chromium too (CRServiceWorker.updateOffline, its service-worker network inspection being on by
 * default), which is what this needs: the worker's network-first fetch fails, and it falls back to
 * its cache. The test checks it (the copy is marked as one only when the worker's fetch failed).
 *
 * The Worker serves a copy of web/dist of its own (`--assets`), so a test can deploy a new build
 * by changing that copy while wrangler dev runs.
 */
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { assertViteBuild, launchChromium, newContext } from "../scripts/lib/browser.mjs";
import { eventually } from "../scripts/lib/eventually";
import { expectStatus, plazaApi } from "../scripts/lib/plaza-api";
import { ROOT } from "../scripts/lib/processes.mjs";
import { ephemeralSecrets, startWranglerDev } from "../scripts/lib/wrangler-dev.mjs";
import type { MeT, OrgT } from "../shared/api";

const RUN = Date.now().toString(36);
const user = { name: "Grace Hopper", email: `grace-${RUN}@example.com`, password: "compiler first 1952" };

let server: Awaited<ReturnType<typeof startWranglerDev>>;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let deployDir: string;
let token: string;
let orgId: string;
let userId: string;
const pageErrors: string[] = [];
const { api: call, signUpAndLogIn } = plazaApi(() => server.url);

beforeAll(async () => {
  assertViteBuild();
  deployDir = mkdtempSync(join(tmpdir(), "plaza-sw-deploy-"));
  cpSync(join(ROOT, "web/dist"), deployDir, { recursive: true });
  server = await startWranglerDev({ secrets: ephemeralSecrets(), assets: deployDir });
  token = await signUpAndLogIn(user);
  const org = await call<OrgT>("POST", "/v1/orgs", { name: "Compilers", slug: `compilers-${RUN}` }, token);
  expectStatus(org, 201, "create the org");
  orgId = org.body.id;
  expectStatus(await call("POST", `/v1/orgs/${orgId}/projects`, { name: "Notes from the field" }, token), 201, "create a project");
  userId = (await call<MeT>("GET", "/v1/me", undefined, token)).body.user.id;
  browser = await launchChromium();
  context = await newContext(browser, { baseURL: server.url, viewport: { width: 1200, height: 800 } });
  page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(String(err)));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (deployDir) rmSync(deployDir, { recursive: true, force: true });
});

const projectRow = (name: string) => page.getByRole("row").filter({ has: page.getByRole("link", { name }) });
const offlineCopy = () => page.getByRole("status").filter({ hasText: /^Offline copy from / });

/**
 * A new deploy of the copy, as a build with one changed stylesheet would make it: the stylesheet
 * under a new hashed name (the old one gone from the server), index.html pointing at it, and
 * /sw.js with the new precache manifest. Returns the new stylesheet's URL.
 */
function deployChangedStylesheet(): string {
  const indexPath = join(deployDir, "index.html");
  const index = readFileSync(indexPath, "utf8");
  const oldCss = /href="(\/assets\/index-[\w-]+\.css)"/.exec(index)?.[1];
  if (!oldCss) throw new Error("index.html links no /assets/index-*.css");
  const newCss = oldCss.replace(/\.css$/, "-next.css");
  writeFileSync(join(deployDir, newCss), `${readFileSync(join(deployDir, oldCss), "utf8")}\n:root { --plaza-deploy: next; }\n`);
  const newIndex = index.replace(oldCss, newCss).replace("<head>", '<head>\n    <meta name="plaza-deploy" content="next" />');
  const swPath = join(deployDir, "sw.js");
  const sw = readFileSync(swPath, "utf8");
  const shellEntry = /\{"revision":"(\w+)","url":"\/dashboard"\}/.exec(sw);
  if (!shellEntry || !sw.includes(`"url":"${oldCss.slice(1)}"`))
    throw new Error("sw.js has no precache entry for the shell or the stylesheet");
  const newRevision = createHash("md5").update(newIndex).digest("hex");
  writeFileSync(indexPath, newIndex);
  unlinkSync(join(deployDir, oldCss));
  writeFileSync(
    swPath,
    sw
      .replace(shellEntry[0], shellEntry[0].replace(shellEntry[1]!, newRevision))
      .replace(`"url":"${oldCss.slice(1)}"`, `"url":"${newCss.slice(1)}"`),
  );
  return newCss;
}

/** What the page runs on: its deploy marker, the stylesheet's custom property, the stylesheets it loaded. */
const runningDeploy = () =>
  page.evaluate(() => ({
    marker: document.querySelector('meta[name="plaza-deploy"]')?.getAttribute("content") ?? "first",
    styled: getComputedStyle(document.documentElement).getPropertyValue("--plaza-deploy").trim() || "first",
    stylesheets: [...document.querySelectorAll<HTMLLinkElement>('link[rel="stylesheet"]')].map((l) => new URL(l.href).pathname),
  }));

describe("service worker", () => {
  test("/sw.js is never taken from an HTTP cache, and may fetch from its own origin only", async () => {
    const res = await fetch(`${server.url}/sw.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/javascript/);
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("content-security-policy")).toMatch(/^default-src 'self';/);
  });

  test("the app starts offline from its cache, marked as an offline copy; the storefront stays server-rendered", async () => {
    await page.goto("/login");
    await page.getByLabel("E-mail").fill(user.email);
    await page.getByLabel("Password").fill(user.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(/\/dashboard$/);
    // The first install takes the open page at once (clientsClaim).
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);

    // Online: the network's answers, kept by the worker for later.
    await page.goto("/dashboard/projects");
    await projectRow("Notes from the field").waitFor();
    expect(await offlineCopy().count()).toBe(0);
    expect(await page.evaluate(() => caches.keys())).toContain("plaza-api");

    // The storefront with the worker installed: the Worker's own page and headers, not the app shell.
    const home = await page.goto("/");
    expect(home?.fromServiceWorker()).toBe(false);
    expect(home?.headers()["content-security-policy"]).toContain("default-src 'none'");
    await page.getByRole("heading", { level: 1, name: "Find plugins for your projects" }).waitFor();

    // Offline, and a project made elsewhere meanwhile: a reload starts the app from the cache, signed in.
    await context.setOffline(true);
    expectStatus(await call("POST", `/v1/orgs/${orgId}/projects`, { name: "Planned while offline" }, token), 201, "create a project");
    const shell = await page.goto("/dashboard/projects");
    expect(shell?.fromServiceWorker()).toBe(true);
    await projectRow("Notes from the field").waitFor();
    await offlineCopy().waitFor();
    await page.getByTestId("user-name").filter({ hasText: user.name }).waitFor();
    expect(await projectRow("Planned while offline").count()).toBe(0);
    // The storefront is never the app shell offline either: the browser's HTTP cache (the page
    // was seen a minute ago) or its error page.
    const storefront = await context.newPage();
    const offlineHome = await storefront.goto("/").catch(() => null);
    expect(offlineHome?.fromServiceWorker() ?? false).toBe(false);
    expect(await storefront.locator("#app").count()).toBe(0);
    await storefront.close();

    // Online again: the session is refreshed by itself, and the next page is the network's.
    const refreshed = page.waitForResponse((res) => res.url().endsWith("/v1/auth/refresh") && res.status() === 200);
    await context.setOffline(false);
    await refreshed;
    await page.getByRole("link", { name: "Projects" }).click();
    await projectRow("Planned while offline").waitFor();
    expect(await offlineCopy().count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  test("Settings says whether the browser keeps offline copies", async () => {
    await page.getByRole("link", { name: "Sessions" }).click();
    const notice = page.getByRole("region", { name: "Offline copies" }).getByTestId("storage-persistence");
    await notice
      .filter({
        hasText:
          /^(Offline copies are kept on this device\.|Your browser may delete offline copies when space runs low; changes not yet sent would be lost\.)$/,
      })
      .waitFor();
  });

  test("a new deploy is picked up after the prompt, never mixed with the running one", async () => {
    await page.goto("/dashboard/projects");
    await projectRow("Notes from the field").waitFor();
    const first = await runningDeploy();
    expect(first.marker).toBe("first");
    const newCss = deployChangedStylesheet();
    await eventually("wrangler dev to serve the new deploy's /sw.js", async () => {
      const sw = await (await fetch(`${server.url}/sw.js`)).text();
      return sw.includes(newCss.slice(1)) ? true : undefined;
    });

    // A navigation finds the new worker; it waits, and the page keeps the first deploy's files
    // (its stylesheet is gone from the server: the worker still has it).
    await page.reload();
    const prompt = page.getByRole("status").filter({ hasText: "A new version of Plaza is available." });
    await prompt.waitFor();
    await projectRow("Notes from the field").waitFor();
    expect(await runningDeploy()).toEqual(first);

    await prompt.getByRole("button", { name: "Reload" }).click();
    await eventually("the page to reload on the new deploy", async () =>
      (await runningDeploy().catch(() => null))?.marker === "next" ? true : undefined,
    );
    await projectRow("Notes from the field").waitFor();
    expect(await runningDeploy()).toEqual({ marker: "next", styled: "next", stylesheets: [newCss] });
    expect(await prompt.count()).toBe(0);
    // Every file the page loaded is the new deploy's: nothing of the first one is served any more.
    const deployed = new Set(readdirSync(join(deployDir, "assets")).map((name) => `/assets/${name}`));
    const loaded = await page.evaluate(() =>
      performance
        .getEntriesByType("resource")
        .map((entry) => new URL(entry.name).pathname)
        .filter((path) => path.startsWith("/assets/")),
    );
    expect(loaded.length).toBeGreaterThan(0);
    expect(loaded.filter((path) => !deployed.has(path))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  test("signing out deletes the offline copies and this user's local databases", async () => {
    const localData = () =>
      page.evaluate(async () => ({
        caches: (await caches.keys()).filter((name) => name.startsWith("plaza-")),
        databases: (await indexedDB.databases()).map((db) => db.name).sort(),
        flags: Object.keys(localStorage).filter((key) => key.startsWith("plaza:doc")),
      }));
    // What the lead's offline documents and queue keep (their names, per the shared design), and another user's.
    await page.evaluate(
      async (names) => {
        for (const name of names)
          await new Promise((resolve, reject) => {
            const request = indexedDB.open(name);
            request.onsuccess = () => resolve(request.result.close());
            request.onerror = () => reject(request.error);
          });
        localStorage.setItem(`${names[0]!.replace("plaza:doc:", "plaza:doc-unsent:")}`, "1");
      },
      [`plaza:doc:${userId}:prj_1`, `plaza:queue:${userId}`, "plaza:doc:usr_someone-else:prj_1"],
    );
    const before = await localData();
    expect(before.caches).toEqual(["plaza-api"]);
    expect(before.databases).toEqual(expect.arrayContaining([`plaza:doc:${userId}:prj_1`, `plaza:queue:${userId}`]));

    // A document with edits not yet sent: logging out asks first, since it deletes them.
    const asked: string[] = [];
    page.once("dialog", (dialog) => {
      asked.push(dialog.message());
      void dialog.accept();
    });
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL(/\/login$/);
    expect(asked).toEqual([expect.stringMatching(/^1 change made on this device has not reached Plaza yet; logging out deletes them/)]);
    await expect.poll(localData).toEqual({ caches: [], databases: ["plaza:doc:usr_someone-else:prj_1"], flags: [] });
    expect(pageErrors).toEqual([]);
  });
});
