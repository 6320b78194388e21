/**
 * The operator console (issue #20, done-when 2 and 3): a person reports an item from its storefront
 * page, an operator unlists it from the moderation queue with a reason, the author is told the
 * reason and the item leaves search; anyone else finds no operator page or route at all.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { assertViteBuild, launchChromium, newContext } from "../scripts/lib/browser.mjs";
import { logInWhenAsked } from "../scripts/lib/log-in";
import { makeOperator } from "../scripts/lib/operators.mjs";
import { expectStatus, plazaApi } from "../scripts/lib/plaza-api";
import { ephemeralSecrets, startWranglerDev } from "../scripts/lib/wrangler-dev.mjs";
import type { OrgT } from "../shared/api";
import type { ItemT } from "../shared/catalog";
import type { NotificationListT } from "../shared/notifications";
import { appRoutes } from "./route-patterns";

const SCREENSHOTS = "/tmp/plaza-operator";
const RUN = Date.now().toString(36);
const SLUG = `token-miner-${RUN}`;
const ITEM = `Token Miner ${RUN}`;
const REASON = "Ships a cryptocurrency miner in its bundle";
const REVIEW_REPORT = "Advertises a watch shop";
const author = { name: "Grace Hopper", email: `grace-${RUN}@example.com`, password: "nanoseconds of wire" };
const reporter = { name: "Alan Turing", email: `alan-${RUN}@example.com`, password: "on computable numbers" };
const operator = { name: "Olive Operator", email: `olive-${RUN}@example.com`, password: "keeps the plaza tidy" };

let server: Awaited<ReturnType<typeof startWranglerDev>>;
const { api, signUpAndLogIn, publishItem } = plazaApi(() => server.url);
let browser: Browser;
let authorToken: string;
let reporterToken: string;
let operatorToken: string;
const pageErrors: string[] = [];

/** The operator console's pages, from the app's own route list: a new one is checked too. */
const OPERATOR_PAGES = appRoutes()
  .filter((route) => route.access === "operator")
  .map((route) => route.pattern);

beforeAll(async () => {
  assertViteBuild();
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startWranglerDev({ secrets: ephemeralSecrets() });
  browser = await launchChromium();
  [authorToken, reporterToken, operatorToken] = await Promise.all([
    signUpAndLogIn(author),
    signUpAndLogIn(reporter),
    signUpAndLogIn(operator),
  ]);
  await makeOperator(server.persistTo, operator.email);
  const org = await api<OrgT>("POST", "/v1/orgs", { name: "Hopper Tools", slug: `hopper-${RUN}` }, authorToken);
  expectStatus(org, 201, "create org");
  const itemId = await publishItem(authorToken, org.body.id, { slug: SLUG, name: ITEM });
  // A review its author reports to the operators: the queue's other kind, which is dismissed.
  expectStatus(await api("POST", `/v1/items/${SLUG}/get`, {}, reporterToken), 201, "get the item");
  const review = await api<{ id: string }>(
    "POST",
    `/v1/items/${SLUG}/reviews`,
    { rating: 1, title: "Buy watches", body: "Cheap watches at my shop" },
    reporterToken,
  );
  expectStatus(review, 201, "the spam review");
  const reported = await api(
    "POST",
    `/v1/orgs/${org.body.id}/items/${itemId}/reviews/${review.body.id}/report`,
    { reason: REVIEW_REPORT },
    authorToken,
  );
  expectStatus(reported, 201, "report the review");
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser, { baseURL: server.url, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(String(err)));
  return { context, page };
}

async function openAs(user: { email: string; password: string }, path: string) {
  const { context, page } = await newPage();
  await page.goto(path);
  await logInWhenAsked(page, user, path);
  return { context, page };
}

/** Signed out, an operator page is not found like any other: the operator logs in first. */
async function openAsOperator(path: string) {
  const { context, page } = await newPage();
  await page.goto(`/login?next=${encodeURIComponent(path)}`);
  await logInWhenAsked(page, operator, path);
  return { context, page };
}

/** The item's slugs in an answer of /v1/search and in the storefront's /search page. */
async function searchFinds(query: string): Promise<{ api: boolean; storefront: boolean }> {
  const found = await api<{ data: ItemT[] }>("GET", `/v1/search?q=${encodeURIComponent(query)}`);
  expectStatus(found, 200, "search");
  const html = await (await fetch(`${server.url}/search?q=${encodeURIComponent(query)}`)).text();
  return { api: found.body.data.some((item) => item.slug === SLUG), storefront: html.includes(`/items/${SLUG}`) };
}

const notFoundHeading = (page: Page) => page.getByRole("heading", { level: 1, name: "Page not found" });

describe("operator console", () => {
  test("a reported item is unlisted from the moderation queue: the author is told why and it leaves search", async () => {
    // Searches are cached for 60 s at the edge (http/edge-cache.ts): each probe below asks a query not asked before.
    expect(await searchFinds(ITEM)).toEqual({ api: true, storefront: true });

    const { context: reporterContext, page } = await newPage();
    await page.goto(`/items/${SLUG}`);
    await page.getByRole("link", { name: "Report this item" }).click();
    await logInWhenAsked(page, reporter, `/report/${SLUG}`);
    const form = page.getByRole("form", { name: "Report this item" });
    await form.getByLabel("What is wrong?").selectOption({ label: "Malware or a security risk" });
    await form.getByLabel("Details").fill("The bundle starts a miner on load.");
    await form.getByRole("button", { name: "Send report" }).click();
    await page.getByRole("status").filter({ hasText: "Thank you." }).waitFor();
    await shot(page, "1-reported");
    await reporterContext.close();

    const { context, page: queue } = await openAsOperator("/operator/moderation");
    await queue.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Operator" }).waitFor();
    const reviewReport = queue.getByRole("row").filter({ hasText: REVIEW_REPORT });
    await reviewReport.getByText("A review").waitFor();
    await reviewReport.getByRole("button", { name: `Dismiss the report on a review of ${ITEM}` }).click();
    await queue.getByText(`The report on a review of ${ITEM} is dismissed.`).waitFor();
    await reviewReport.waitFor({ state: "detached" });

    const report = queue.locator(`tr[data-item-slug="${SLUG}"]`);
    await report.getByText("Malware or a security risk").waitFor();
    await report.getByText("The bundle starts a miner on load.").waitFor();
    await report.getByRole("button", { name: `Unlist ${ITEM}` }).click();
    const dialog = queue.getByRole("dialog", { name: `Unlist ${ITEM}` });
    await dialog.getByRole("button", { name: "Unlist" }).click();
    await dialog.locator('[data-error-for="reason"]').getByText("Is required").waitFor();
    await dialog.getByLabel("Reason").fill(REASON);
    await dialog.getByRole("button", { name: "Unlist" }).click();
    await queue.getByText(`${ITEM} is unlisted.`).waitFor();
    await queue.getByText("No open reports.").waitFor();
    await queue.getByRole("link", { name: "Resolved" }).click();
    await queue
      .locator(`tr[data-item-slug="${SLUG}"]`)
      .getByRole("button", { name: `Restore ${ITEM}` })
      .waitFor();
    await shot(queue, "2-unlisted");
    await context.close();

    // Written in the unlisting's own batch: there at once, with the reason.
    const notifications = await api<NotificationListT>("GET", "/v1/me/notifications", undefined, authorToken);
    expect(notifications.body.data.find((n) => n.type === "item_unlisted")?.body).toContain(REASON);
    const { context: authorContext, page: inbox } = await openAs(author, "/notifications");
    await inbox.getByRole("list", { name: "All notifications" }).getByText(REASON, { exact: false }).waitFor();
    await shot(inbox, "3-author-notified");
    await authorContext.close();

    expect(await searchFinds(ITEM.toLowerCase())).toEqual({ api: false, storefront: false });
    expect(pageErrors).toEqual([]);
  });

  test("the operator moves through the console: overview, jobs with Run now, orders, mail", async () => {
    const { context, page } = await openAsOperator("/operator");
    await page.getByRole("heading", { level: 1, name: "Operator" }).waitFor();
    // The chart's numbers as a table beside it: one row a day of the last 30.
    const revenue = page.getByRole("figure").filter({ hasText: "Revenue and fee income, last 30 days" });
    const numbers = revenue.getByRole("table");
    await numbers.waitFor();
    expect(await numbers.locator("tbody tr").count()).toBe(30);
    await page.getByRole("table", { name: "Last run of each maintenance job" }).waitFor();
    await shot(page, "5-overview");

    const tabs = page.getByRole("navigation", { name: "Operator console" });
    await tabs.getByRole("link", { name: "Jobs" }).click();
    const jobs = page.getByRole("table", { name: "Maintenance jobs" });
    const job = (await jobs.locator("tbody tr").first().getAttribute("data-job"))!;
    await jobs.getByRole("button", { name: `Run ${job} now` }).click();
    await page.getByRole("table", { name: "Job runs" }).locator(`tr[data-job="${job}"]`).first().waitFor();
    await shot(page, "6-jobs");

    await tabs.getByRole("link", { name: "Orders" }).click();
    await page.getByLabel("E-mail, order id or Stripe id").fill(reporter.email);
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(`**/operator/orders?q=${encodeURIComponent(reporter.email)}`);
    await page.getByText(`No order matches “${reporter.email}”.`).waitFor();

    await tabs.getByRole("link", { name: "Mail" }).click();
    await page.getByRole("heading", { level: 2, name: "Dead-lettered" }).waitFor();
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  test("anyone but an operator gets the not-found page on every operator page, and no Operator link", async () => {
    expect(OPERATOR_PAGES.length).toBeGreaterThanOrEqual(5);
    const { context, page } = await openAs(reporter, "/dashboard/purchases");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Purchases" }).waitFor();
    expect(await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Operator" }).count()).toBe(0);
    for (const path of OPERATOR_PAGES) {
      await page.goto(path);
      await notFoundHeading(page).waitFor();
      expect(await page.getByRole("navigation", { name: "Operator console" }).count(), path).toBe(0);
    }
    await shot(page, "4-not-found-signed-in");
    await context.close();

    // Signed out: the same page, not a login form (which would say the page exists).
    const { context: anonymous, page: guest } = await newPage();
    for (const path of OPERATOR_PAGES) {
      await guest.goto(path);
      await notFoundHeading(guest).waitFor();
      expect(new URL(guest.url()).pathname, path).toBe(path);
    }
    await anonymous.close();
    expect(pageErrors).toEqual([]);
  });

  test("every /v1/operator route answers 404 not_found to anyone but an operator", async () => {
    const spec = await api<{ paths: Record<string, Record<string, unknown>> }>("GET", "/openapi.json");
    expectStatus(spec, 200, "the OpenAPI document");
    const routes = Object.entries(spec.body.paths)
      .filter(([path]) => path.startsWith("/v1/operator/"))
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })));
    expect(routes.length).toBeGreaterThanOrEqual(10);
    const answers: string[] = [];
    for (const { method, path } of routes) {
      const concrete = path.replace(/\{\w+\}/g, "x");
      const body = method === "GET" ? undefined : {};
      for (const [who, token] of [
        ["anonymous", undefined],
        ["a signed-in person", reporterToken],
      ] as const) {
        const res = await api<{ error?: { code: string } }>(method, concrete, body, token);
        answers.push(`${who} ${method} ${path}: ${res.status} ${res.body?.error?.code}`);
      }
    }
    expect(answers.filter((answer) => !answer.endsWith(": 404 not_found"))).toEqual([]);
    // The operator gets past the gate on the same requests (200, or 400 without a required query): the 404 is who asks.
    const operatorAnswers: string[] = [];
    for (const { path } of routes.filter((r) => r.method === "GET" && !r.path.includes("{"))) {
      operatorAnswers.push(`GET ${path}: ${(await api("GET", path, undefined, operatorToken)).status}`);
    }
    expect(operatorAnswers.length).toBeGreaterThanOrEqual(4);
    expect(operatorAnswers.filter((answer) => answer.endsWith(": 404"))).toEqual([]);
  });
});
