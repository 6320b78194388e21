/**
 * Installed versions and update badges on a project page, in a real browser against `wrangler dev`
 * (no rooms: ROOMS_URL points at a closed port, the page's live editor just stays disconnected).
 * An author publishes a free item; Ada installs it at 1.0.0 into her project (setup, through the
 * API). The page shows no badge; once the author publishes 2.0.0 (and a 3.0.0 beta, which her stable
 * project does not take), it shows "Update available: 1.0.0 → 2.0.0" with the changelog; Linus,
 * who may only view the project, sees the badge without the Update action; Update moves Ada's
 * project to 2.0.0 and the badge goes; when the author yanks 2.0.0 the page flags it.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { assertViteBuild, launchChromium, newContext } from "../scripts/lib/browser.mjs";
import { logInWhenAsked } from "../scripts/lib/log-in";
import { expectStatus, plazaApi } from "../scripts/lib/plaza-api";
import { freePort } from "../scripts/lib/processes.mjs";
import { ephemeralSecrets, startWranglerDev } from "../scripts/lib/wrangler-dev.mjs";
import type { OrgT } from "../shared/api";
import type { ItemT } from "../shared/catalog";
import type { ProjectT } from "../shared/projects";

const RUN = Date.now().toString(36);
const author = { name: "Arthur Author", email: `author-${RUN}@example.com`, password: "ships on fridays" };
const ada = { name: "Ada Lovelace", email: `ada-${RUN}@example.com`, password: "notes on the engine" };
const linus = { name: "Linus Reader", email: `linus-${RUN}@example.com`, password: "just here to watch" };
const SCREENSHOTS = "/tmp/plaza-project-updates";
const SLUG = `orbit-tools-${RUN}`;
const ITEM = "Orbit Tools";

let server: Awaited<ReturnType<typeof startWranglerDev>>;
let browser: Browser;
const { api: call, signUpAndLogIn, joinOrg, uploadVersion } = plazaApi(() => server.url);
const pageErrors: string[] = [];
const contexts: BrowserContext[] = [];
let authorToken: string;
let authorOrgId: string;
let itemId: string;
let projectPath: string;

/** Publishes `version` of the item the way the CLI does: metadata, then the bytes. */
async function publish(version: string, changelog: string, channel: "stable" | "beta" = "stable") {
  await uploadVersion(authorToken, { slug: SLUG, version, channel, changelog, bytes: randomBytes(64) });
}

/** Opens `path` signed in as `user` (through the login form's `?next=`). */
async function openAs(user: typeof ada, path: string): Promise<Page> {
  const context = await newContext(browser, { baseURL: server.url, viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(`${user.name}: ${String(err)}`));
  await page.goto(path);
  await logInWhenAsked(page, user, path);
  return page;
}

const installedRow = (page: Page) => page.locator(`tr[data-item-slug="${SLUG}"]`);
/** Reloads the page and waits until its update check has answered, so what it shows is final. */
async function checked(page: Page) {
  await page.reload();
  await page.locator('[data-updates="checked"]').waitFor();
  return installedRow(page);
}

beforeAll(async () => {
  assertViteBuild();
  mkdirSync(SCREENSHOTS, { recursive: true });
  // No rooms: nothing listens at ROOMS_URL, so no other test's rooms are reached either.
  server = await startWranglerDev({ secrets: ephemeralSecrets(), vars: { ROOMS_URL: `http://127.0.0.1:${await freePort()}` } });
  browser = await launchChromium();

  authorToken = await signUpAndLogIn(author);
  const authorOrg = await call<OrgT>("POST", "/v1/orgs", { name: "Orbit Works", slug: `orbit-${RUN}` }, authorToken);
  expectStatus(authorOrg, 201, "create the author's org");
  authorOrgId = authorOrg.body.id;
  const item = await call<ItemT>(
    "POST",
    `/v1/orgs/${authorOrgId}/items`,
    { slug: SLUG, name: ITEM, summary: "Tools for orbits", category: "productivity", pricing: { model: "free" } },
    authorToken,
  );
  expectStatus(item, 201, "create the item");
  itemId = item.body.id;
  await publish("1.0.0", "First release.");
  expectStatus(await call("PATCH", `/v1/orgs/${authorOrgId}/items/${itemId}`, { status: "published" }, authorToken), 200, "publish item");

  const adaToken = await signUpAndLogIn(ada);
  const org = await call<OrgT>("POST", "/v1/orgs", { name: "Analytical Engines", slug: `engines-${RUN}` }, adaToken);
  expectStatus(org, 201, "create Ada's org");
  const linusToken = await signUpAndLogIn(linus);
  await joinOrg(adaToken, org.body.id, { email: linus.email, token: linusToken }, "member");
  expectStatus(await call("PUT", "/v1/me/active-org", { orgId: org.body.id }, linusToken), 204, "Linus switches org");
  const project = await call<ProjectT>("POST", `/v1/orgs/${org.body.id}/projects`, { name: "Orbit notes", memberRole: "read" }, adaToken);
  expectStatus(project, 201, "create the project");
  projectPath = `/dashboard/projects/${project.body.id}`;
  expectStatus(await call("POST", `/v1/items/${SLUG}/get`, undefined, adaToken), 201, "get the item");
  expectStatus(await call("PUT", `/v1/orgs/${org.body.id}/projects/${project.body.id}/items/${SLUG}`, {}, adaToken), 200, "install");
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  await server?.stop();
});

describe("update badges on a project's installed items", () => {
  let adaPage: Page;

  test("an item installed at its newest version shows the version and no badge", async () => {
    adaPage = await openAs(ada, projectPath);
    const row = await checked(adaPage);
    await row.getByText("1.0.0", { exact: true }).waitFor();
    expect(await row.getByText("Update available").count()).toBe(0);
    expect(await row.getByRole("button", { name: /^Update/ }).count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  test("a newer version on the project's channel shows a badge with the changelog; a viewer sees no Update action", async () => {
    await publish("2.0.0", "Rewritten orbit solver.");
    await publish("3.0.0-beta.1", "Experimental n-body mode.", "beta");
    const row = await checked(adaPage);
    const update = row.getByRole("group", { name: `Update for ${ITEM}` });
    await update.getByText("Update available: 1.0.0 → 2.0.0").waitFor();
    const changelog = update.getByRole("list", { name: `Changelog of ${ITEM} since 1.0.0` });
    await changelog.getByText("Rewritten orbit solver.").waitFor();
    // The project follows the stable channel: the beta is neither offered nor listed.
    expect(await changelog.getByRole("listitem").allTextContents()).toEqual(["2.0.0Rewritten orbit solver."]);
    await update.getByRole("button", { name: `Update ${ITEM} to 2.0.0` }).waitFor();
    await installedRow(adaPage).screenshot({ path: `${SCREENSHOTS}/1-update-available.png` });

    const linusPage = await openAs(linus, projectPath);
    const linusRow = await checked(linusPage);
    await linusRow.getByText("Update available: 1.0.0 → 2.0.0").waitFor();
    expect(await linusRow.getByRole("button").count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  test("Update moves the project to the newer version and the badge goes", async () => {
    await installedRow(adaPage)
      .getByRole("button", { name: `Update ${ITEM} to 2.0.0` })
      .click();
    await adaPage.getByText(`Updated ${ITEM} to 2.0.0.`).waitFor();
    const row = await checked(adaPage);
    await row.getByText("2.0.0", { exact: true }).waitFor();
    expect(await row.getByText("Update available").count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  test("an installed version its author yanked is flagged", async () => {
    expectStatus(await call("POST", `/v1/orgs/${authorOrgId}/items/${itemId}/versions/2.0.0/yank`, undefined, authorToken), 200, "yank");
    const row = await checked(adaPage);
    await row.getByText("2.0.0 was yanked by its author").waitFor();
    await row.screenshot({ path: `${SCREENSHOTS}/2-yanked.png` });
    expect(await row.getByText("Update available").count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
