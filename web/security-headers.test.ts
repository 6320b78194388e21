import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, BrowserContext, Page, Response } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { assertViteBuild, launchChromium, newContext as newBudgetedContext } from "../scripts/lib/browser.mjs";
import { eventually } from "../scripts/lib/eventually";
import type { startPartykitDev } from "../scripts/lib/partykit-dev.mjs";
import { expectStatus, plazaApi } from "../scripts/lib/plaza-api";
import { startPlazaWithRooms } from "../scripts/lib/plaza-with-rooms.mjs";
import type { startWranglerDev } from "../scripts/lib/wrangler-dev.mjs";
import type { OrgT } from "../shared/api";
import type { ItemT } from "../shared/catalog";
import type { ProjectT } from "../shared/projects";

const RUN = Date.now().toString(36);
const user = { name: "Hedy Lamarr", email: `hedy-${RUN}@example.com`, password: "frequency hopping 1942" };
const SLUG = `signal-hopper-${RUN}`;
const ORG_SLUG = `lamarr-${RUN}`;

let api: Awaited<ReturnType<typeof startWranglerDev>>;
let rooms: Awaited<ReturnType<typeof startPartykitDev>>;
let browser: Browser;
const { api: call, signUpAndLogIn, uploadVersion } = plazaApi(() => api.url);
let orgId: string;
let projectId: string;

interface Violation {
  page: string;
  directive: string;
  blocked: string;
  source?: string;
}
/** Seen in the pages during the current test, through the listener every frame gets. */
let violations: Violation[] = [];
let pageErrors: string[] = [];
const contexts: BrowserContext[] = [];

/** The framing test's report: Chromium names the framed page by its origin only. */
const isFramingReport = (r: { directive: string; documentUri: string }) =>
  r.directive === "frame-ancestors" && r.documentUri === `${api.url}/`;

/** What wrangler dev logged for /v1/csp-reports (one JSON line each). */
function reported(): { documentUri: string; directive: string; blockedUri?: string }[] {
  return [...api.output().matchAll(/\{"level":"warn","msg":"csp violation".*\}/g)].map((m) => JSON.parse(m[0]));
}

async function newContext(): Promise<BrowserContext> {
  const context = await newBudgetedContext(browser, { baseURL: api.url, viewport: { width: 1200, height: 800 } });
  contexts.push(context);
  await context.exposeBinding("plazaCspViolation", ({ frame }, v: Omit<Violation, "page">) => violations.push({ page: frame.url(), ...v }));
  await context.addInitScript(() => {
    addEventListener("securitypolicyviolation", (e) => {
      (window as unknown as { plazaCspViolation: (v: unknown) => void }).plazaCspViolation({
        directive: e.effectiveDirective,
        blocked: e.blockedURI,
        source: `${e.sourceFile}:${e.lineNumber}`,
      });
    });
  });
  return context;
}

async function newPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(`${page.url()}: ${String(err)}`));
  return page;
}

/** The CSP as directive → sources. */
function policyOf(csp: string | undefined): Record<string, string[]> {
  expect(csp, "Content-Security-Policy").toBeTruthy();
  return Object.fromEntries(
    csp!
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...sources]) => [name!, sources]),
  );
}

/** An HTML page's headers: never framed, sniffed or sent with a referrer; its CSP, parsed. */
function expectSecured(res: Response | null, what: string): Record<string, string[]> {
  expect(res, what).toBeTruthy();
  const headers = res!.headers();
  expect(headers["content-type"], what).toMatch(/^text\/html/);
  const csp = policyOf(headers["content-security-policy"]);
  expect(csp["frame-ancestors"], what).toEqual(["'none'"]);
  expect(csp["object-src"], what).toEqual(["'none'"]);
  expect(csp["base-uri"], what).toEqual(["'none'"]);
  expect(csp["report-uri"], what).toEqual(["/v1/csp-reports"]);
  expect(csp["script-src"] ?? [], what).not.toContain("'unsafe-inline'");
  expect(headers["x-frame-options"], what).toBe("DENY");
  expect(headers["x-content-type-options"], what).toBe("nosniff");
  expect(headers["referrer-policy"], what).toBe("no-referrer");
  return csp;
}

/** The web app's policy: everything from its origin, WebSockets to the rooms too, nothing inline. */
function expectWebAppPolicy(csp: Record<string, string[]>, what: string) {
  expect(csp["default-src"], what).toEqual(["'self'"]);
  expect(csp["connect-src"], what).toEqual(["'self'", `ws://${rooms.host}`]);
  expect(Object.values(csp).flat(), what).not.toContain("'unsafe-inline'");
}

/** Opens `path` as a fresh document, checks its headers, and waits until it shows `ready`. */
async function visit(page: Page, path: string, ready: (page: Page) => Promise<unknown>) {
  const res = await page.goto(path);
  const csp = expectSecured(res, path);
  await ready(page);
  return csp;
}

const heading = (name: string | RegExp) => (page: Page) => page.getByRole("heading", { level: 1, name }).waitFor();

/** The CLI's publish path: create the item, upload a version, publish. */
async function publishItem(token: string) {
  const item = await call<ItemT>(
    "POST",
    `/v1/orgs/${orgId}/items`,
    {
      slug: SLUG,
      name: "Signal Hopper",
      summary: "Hops frequencies",
      description: "## Hop\n\nSpread **spectrum**.",
      category: "productivity",
      tags: ["radio"],
    },
    token,
  );
  expectStatus(item, 201, "create item");
  await uploadVersion(token, { slug: SLUG, version: "1.0.0", changelog: "First" });
  expectStatus(await call("PATCH", `/v1/orgs/${orgId}/items/${item.body.id}`, { status: "published" }, token), 200, "publish");
}

/** A signed-in page (through the login form), in its own context. */
async function signedInPage(): Promise<Page> {
  const page = await newPage(await newContext());
  await visit(page, "/login", (p) => p.getByRole("button", { name: "Log in" }).waitFor());
  await page.getByLabel("E-mail").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(/\/dashboard$/);
  return page;
}

beforeAll(async () => {
  assertViteBuild();
  ({ api, rooms } = await startPlazaWithRooms());
  browser = await launchChromium();
  const token = await signUpAndLogIn(user);
  const org = await call<OrgT>("POST", "/v1/orgs", { name: "Lamarr Labs", slug: ORG_SLUG }, token);
  expectStatus(org, 201, "create org");
  orgId = org.body.id;
  const project = await call<ProjectT>("POST", `/v1/orgs/${orgId}/projects`, { name: "Spread spectrum" }, token);
  expectStatus(project, 201, "create project");
  projectId = project.body.id;
  await publishItem(token);
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  await Promise.all([rooms?.stop(), api?.stop()]);
});

describe("security headers and CSP of every page", () => {
  beforeEach(() => {
    violations = [];
    pageErrors = [];
  });

  test("the web app's guest pages and an unknown route (index.html) carry the app's policy", async () => {
    const page = await newPage(await newContext());
    expectWebAppPolicy(await visit(page, "/login", (p) => p.getByRole("button", { name: "Log in" }).waitFor()), "/login");
    expectWebAppPolicy(await visit(page, "/signup", (p) => p.getByRole("button", { name: "Create account" }).waitFor()), "/signup");
    expectWebAppPolicy(await visit(page, "/no/such/page", heading("Page not found")), "an unknown route");
    // A missing build file, even navigated to, is a plain 404: never index.html without the headers.
    const missing = await fetch(`${api.url}/assets/no-such-file.js`, { headers: { "sec-fetch-mode": "navigate", accept: "text/html" } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type") ?? "").not.toMatch(/html/);
    expect(violations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  test("dashboard pages, signed in", async () => {
    const page = await signedInPage();
    const pages: [string, string | RegExp][] = [
      ["/dashboard", /.+/],
      ["/dashboard/projects", /^Projects/],
      [`/orgs/${orgId}/members`, "Lamarr Labs"],
      ["/settings/tokens", /.+/],
      ["/settings/sessions", /.+/],
      ["/dashboard/purchases", /.+/],
      ["/dashboard/earnings", /.+/],
      ["/dashboard/webhooks", /.+/],
    ];
    for (const [path, title] of pages) expectWebAppPolicy(await visit(page, path, heading(title)), path);
    expect(violations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  test("a project in the live editor: WebSocket to the rooms, ProseMirror's styles, another tab's caret and selection", async () => {
    const page = await signedInPage();
    const path = `/dashboard/projects/${projectId}`;
    const connected = (p: Page) => p.locator('[data-testid="connection-status"][data-state="connected"]').waitFor();
    expectWebAppPolicy(await visit(page, path, connected), path);
    const other = await newPage(page.context());
    await visit(other, path, connected);

    const editor = (p: Page) => p.locator(".project-editor .ProseMirror");
    await editor(other).click();
    await other.keyboard.type("Spread spectrum, hop by hop.");
    await other.keyboard.press("ControlOrMeta+a");
    // The other tab's caret and selection, coloured through CSSOM (the CSP refuses style attributes).
    await page.locator(".collaboration-carets__caret").waitFor();
    await page.locator(".ProseMirror-yjs-selection").first().waitFor();
    expect(await page.locator(".collaboration-carets__caret").evaluate((el) => getComputedStyle(el).borderLeftColor)).not.toBe(
      "rgba(0, 0, 0, 0)",
    );
    const swatch = page.getByRole("list", { name: "People here" }).locator(".presence-swatch").first();
    expect(await swatch.evaluate((el) => getComputedStyle(el).backgroundColor)).not.toBe("rgba(0, 0, 0, 0)");
    // ProseMirror's stylesheet (not Tiptap's inline <style>) is in force.
    expect(await editor(page).evaluate((el) => getComputedStyle(el).whiteSpace)).toBe("break-spaces");
    expect(await page.locator("style").count()).toBe(0);
    expect(violations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  test("the storefront (home, search, item, author), checkout pages and an error page run no script and use their own stylesheet only", async () => {
    const page = await newPage(await newContext());
    const storefront: [string, (p: Page) => Promise<unknown>][] = [
      ["/", heading("Find plugins for your projects")],
      ["/search?q=spectrum", heading(/Results for/)],
      [`/items/${SLUG}`, heading("Signal Hopper")],
      [`/authors/${ORG_SLUG}`, heading("Lamarr Labs")],
      [`/checkout/cancel?item=${SLUG}`, heading(/.+/)],
      ["/checkout/success?checkout=chk_nosuchcheckout", heading(/.+/)],
      ["/items/no-such-item", heading(/.+/)],
    ];
    for (const [path, ready] of storefront) {
      const csp = await visit(page, path, ready);
      expect(csp["default-src"], path).toEqual(["'none'"]);
      expect(csp["script-src"], path).toBeUndefined();
      expect(csp["style-src"], path).toEqual([expect.stringMatching(/^'sha256-[A-Za-z0-9+/]+=*'$/)]);
      // The guest form posts here and is redirected on to the hosted checkout page.
      expect(csp["form-action"], path).toEqual(["'self'", "http://localhost:12111"]);
    }
    // The stylesheet applied: the header is laid out as a flex row.
    expect(await page.locator("header.site .wrap").evaluate((el) => getComputedStyle(el).display)).toBe("flex");
    expect(violations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  test("the dev mailbox, whose e-mails show in sandboxed frames", async () => {
    const page = await newPage(await newContext());
    await visit(page, "/dev/mailbox", async (p) => {
      await heading("Dev mailbox")(p);
      await p.locator(`article[data-to="${user.email}"] iframe`).first().waitFor();
    });
    // The verification e-mail's inline styles apply inside its frame.
    const mail = page.frameLocator(`article[data-to="${user.email}"] iframe`).first();
    expect(await mail.locator("h1").evaluate((el) => getComputedStyle(el).fontSize)).toBe("20px");
    expect(violations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  test("/docs renders the API reference with no network beyond this machine, its script from Plaza's own assets", async () => {
    const context = await newContext();
    // No internet: every request to another host fails, and is recorded.
    const elsewhere: string[] = [];
    await context.route("**/*", (route) => {
      const { hostname } = new URL(route.request().url());
      if (["127.0.0.1", "localhost", "[::1]"].includes(hostname)) return route.continue();
      elsewhere.push(route.request().url());
      return route.abort("internetdisconnected");
    });
    const page = await newPage(context);
    const script = page.waitForResponse((res) => /\/assets\/vendor\/scalar-api-reference-[^/]+\.js$/.test(res.url()));
    const csp = await visit(page, "/docs", async (p) => {
      await p.getByRole("heading", { level: 1, name: "Plaza API" }).waitFor();
      await p.getByText("Create an account; a verification link is e-mailed").first().waitFor();
    });
    expect(csp["script-src"]).toEqual(["'self'", expect.stringMatching(/^'sha256-/)]);
    expect(
      Object.values(csp)
        .flat()
        .filter((source) => /^https?:/.test(source)),
    ).toEqual([]);
    expect((await script).status()).toBe(200);
    expect(elsewhere).toEqual([]);
    expect(violations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  test("another origin cannot frame the login page; Chromium reports it", async () => {
    // A real local server: Chromium lets only local pages frame local ones at all.
    const framer = createServer((_, res) =>
      res
        .writeHead(200, { "content-type": "text/html" })
        .end(`<!doctype html><title>Framer</title><iframe src="${api.url}/login"></iframe>`),
    );
    await new Promise<void>((resolve) => framer.listen(0, "127.0.0.1", resolve));
    const page = await newPage(await newContext());
    const login = page.waitForResponse(`${api.url}/login`);
    await page.goto(`http://127.0.0.1:${(framer.address() as AddressInfo).port}/`);
    framer.close();
    expectSecured(await login, "/login in a frame");
    const report = await eventually("Chromium's report of the refused framing", async () => reported().find(isFramingReport));
    expect(report.blockedUri).toBe(`${api.url}/`);
    // The frame holds Chromium's error page, never the login form.
    await eventually("the frame to show the error page", async () => page.frames().some((f) => f.url().startsWith("chrome-error://")));
    expect(page.frames().map((f) => f.url())).not.toContain(`${api.url}/login`);
    expect(await page.frameLocator("iframe").getByRole("button", { name: "Log in" }).count()).toBe(0);
  });

  test("nothing else was reported to /v1/csp-reports", () => {
    expect(reported().filter((r) => !isFramingReport(r))).toEqual([]);
  });
});
