import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { assertViteBuild, launchChromium, newContext } from "../scripts/lib/browser.mjs";
import { eventually } from "../scripts/lib/eventually";
import { logInWhenAsked } from "../scripts/lib/log-in";
import { expectStatus, plazaApi } from "../scripts/lib/plaza-api";
import { WAIT } from "../scripts/lib/wait-budgets.mjs";
import { ephemeralSecrets, startWranglerDev } from "../scripts/lib/wrangler-dev.mjs";
import type { OrgT } from "../shared/api";
import type { ItemT } from "../shared/catalog";

const SCREENSHOTS = "/tmp/plaza-reviews";
const RUN = Date.now().toString(36);
const ORG = "Lovelace Instruments";
const SLUG = `quill-${RUN}`;
const ITEM = "Quill";
const author = { name: "Ada Lovelace", email: `ada-${RUN}@example.com`, password: "analytical engine notes" };
const buyer = { name: "Charles Babbage", email: `charles-${RUN}@example.com`, password: "difference engine two" };
const troll = { name: "Spam Bot", email: `spam-${RUN}@example.com`, password: "buy cheap watches now" };
const member = { name: "Mary Somerville", email: `mary-${RUN}@example.com`, password: "connexion of sciences" };
const stranger = { name: "Augustus De Morgan", email: `augustus-${RUN}@example.com`, password: "formal logic 1847" };

let server: Awaited<ReturnType<typeof startWranglerDev>>;
const { api, signUpAndLogIn, joinOrg, uploadVersion } = plazaApi(() => server.url);
let browser: Browser;
let itemId: string;
let trollToken: string;
const pageErrors: string[] = [];

/** A published free item with version 1.0.0, as the CLI and the studio make it. */
async function publishedFreeItem(token: string, orgId: string) {
  const item = await api<ItemT>("POST", `/v1/orgs/${orgId}/items`, { slug: SLUG, name: ITEM, category: "editor" }, token);
  expectStatus(item, 201, "create the item");
  await uploadVersion(token, { slug: SLUG, version: "1.0.0" });
  expectStatus(await api("PATCH", `/v1/orgs/${orgId}/items/${item.body.id}`, { status: "published" }, token), 200, "publish");
  return item.body.id;
}

beforeAll(async () => {
  assertViteBuild();
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startWranglerDev({ secrets: ephemeralSecrets() });
  browser = await launchChromium();
  let authorToken: string;
  let buyerToken: string;
  let memberToken: string;
  [authorToken, buyerToken, trollToken, memberToken] = await Promise.all([
    signUpAndLogIn(author),
    signUpAndLogIn(buyer),
    signUpAndLogIn(troll),
    signUpAndLogIn(member),
    signUpAndLogIn(stranger),
  ]);
  const org = await api<OrgT>("POST", "/v1/orgs", { name: ORG, slug: `lovelace-${RUN}` }, authorToken);
  expectStatus(org, 201, "create org");
  itemId = await publishedFreeItem(authorToken, org.body.id);
  await joinOrg(authorToken, org.body.id, { email: member.email, token: memberToken }, "member");
  for (const token of [buyerToken, trollToken]) expectStatus(await api("POST", `/v1/items/${SLUG}/get`, {}, token), 201, "get the item");
  const spam = { rating: 1, title: "Cheap watches", body: "Visit my shop for cheap watches" };
  expectStatus(await api("POST", `/v1/items/${SLUG}/reviews`, spam, trollToken), 201, "the spam review");
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

async function newPage() {
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

const reviewCard = (page: Page, by: string) => page.getByRole("article", { name: `Review by ${by}` });

describe("reviews", () => {
  test("a buyer writes a review from the storefront's link, with the rules in view, and edits it from Purchases", async () => {
    const { context, page } = await newPage();
    await page.goto(`/items/${SLUG}`);
    await page.getByText("a refund takes the rating out").waitFor();
    await page.getByRole("link", { name: "Write a review" }).click();
    await logInWhenAsked(page, buyer, `/review/${SLUG}`);
    await page.getByRole("heading", { level: 1, name: `Review ${ITEM}` }).waitFor();
    await page.getByRole("list", { name: "Who can review" }).getByText("One review per buyer").waitFor();

    const form = page.getByRole("form", { name: "Write a review" });
    await form.getByLabel("Title").fill("Writes like a dream");
    await form.getByRole("button", { name: "Publish review" }).click();
    await form.locator('[data-error-for="rating"]').getByText("Choose from 1 to 5 stars").waitFor();
    await form.getByLabel("4 stars").check();
    await form.getByLabel("Your review").fill("Smooth ink, no blots.");
    await form.getByRole("button", { name: "Publish review" }).click();
    await page.getByRole("status").filter({ hasText: "Published." }).getByRole("link", { name: "See it on the storefront" }).waitFor();
    await page.getByRole("form", { name: "Edit your review" }).waitFor();
    await shot(page, "1-published");

    await page.getByRole("link", { name: "Your purchases" }).click();
    await page.getByRole("link", { name: `Edit your review of ${ITEM}` }).click();
    await page.waitForURL(`**/review/${SLUG}`);
    const edit = page.getByRole("form", { name: "Edit your review" });
    expect(await edit.getByLabel("4 stars").isChecked()).toBe(true);
    expect(await edit.getByLabel("Your review").inputValue()).toBe("Smooth ink, no blots.");
    await edit.getByLabel("5 stars").check();
    await edit.getByLabel("Your review").fill("Smooth ink, no blots. Better with 1.0.1.");
    await edit.getByRole("button", { name: "Save changes" }).click();
    await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
    await shot(page, "2-edited");
    await context.close();

    // What the public sees: the edited review on the storefront (its page is purged on change).
    await eventually("the edited review on the storefront", async () => {
      const html = await (await fetch(`${server.url}/items/${SLUG}`)).text();
      return html.includes("Better with 1.0.1.") && html.includes("5 out of 5 stars") ? true : undefined;
    });
  });

  test("the author replies in the studio, edits the reply, and it shows (edited) on the storefront", async () => {
    const { context, page } = await openAs(author, `/dashboard/items/${itemId}/reviews`);
    const card = reviewCard(page, buyer.name);
    await card.getByText("Better with 1.0.1.").waitFor();
    await card.getByRole("button", { name: "Post reply" }).click();
    await card.locator('[data-error-for="body"]').getByText("Is required").waitFor();
    await card.getByLabel("Public reply").fill("Thank you! 1.1 brings more inks.");
    await card.getByRole("button", { name: "Post reply" }).click();
    await card.getByTestId("reply").getByText("Thank you! 1.1 brings more inks.").waitFor();

    await card.getByRole("button", { name: "Edit reply" }).click();
    await card.getByLabel("Edit your public reply").fill("Thank you! 1.1 is out with more inks.");
    await card.getByRole("button", { name: "Save reply" }).click();
    await card.getByTestId("reply").getByText("(edited)").waitFor();
    await shot(page, "3-reply-edited");

    await page.goto(`/items/${SLUG}`);
    await eventually("the edited reply on the storefront", async () => {
      await page.reload();
      return (await page.getByText("Thank you! 1.1 is out with more inks.").count()) > 0 ? true : undefined;
    });
    await page.locator(".reply").getByText("(edited)").waitFor();
    await shot(page, "4-storefront-reply");
    await context.close();
  });

  test("the author reports a review to the operators with a reason", async () => {
    const { context, page } = await openAs(author, `/dashboard/items/${itemId}/reviews`);
    const card = reviewCard(page, troll.name);
    await card.getByRole("button", { name: "Report to operator" }).click();
    await card.getByRole("button", { name: "Send report" }).click();
    await card.locator('[data-error-for="reason"]').getByText("Is required").waitFor();
    await card.getByLabel("Why should the operators look at this review?").fill("Spam: advertises a watch shop");
    await card.getByRole("button", { name: "Send report" }).click();
    await card.getByTestId("report").getByText("Spam: advertises a watch shop").waitFor();

    // Stored: the tab shows it again after a reload, and there is no second report to send.
    await page.reload();
    await reviewCard(page, troll.name).getByTestId("report").getByText("Spam: advertises a watch shop").waitFor();
    expect(await reviewCard(page, troll.name).getByRole("button", { name: "Report to operator" }).count()).toBe(0);
    await shot(page, "5-reported");
    await context.close();
  });

  test("a buyer deletes their review after confirming, and may write a new one", async () => {
    const { context, page } = await openAs(troll, `/review/${SLUG}`);
    page.on("dialog", (dialog) => void dialog.accept());
    await page.getByRole("form", { name: "Edit your review" }).getByRole("button", { name: "Delete review" }).click();
    await page.getByRole("status").filter({ hasText: "Your review is deleted." }).waitFor();
    await page.getByRole("form", { name: "Write a review" }).waitFor();
    await context.close();
    await eventually("the deleted review gone from the storefront", async () => {
      const html = await (await fetch(`${server.url}/items/${SLUG}`)).text();
      return html.includes("Better with 1.0.1.") && !html.includes("Cheap watches") ? true : undefined;
    });
  });

  test("a review written offline is kept as a draft through a reload and published once online", async () => {
    const { context, page } = await openAs(troll, `/review/${SLUG}`);
    const form = page.getByRole("form", { name: "Write a review" });
    // Loaded again under the service worker, so the page's reads are kept for offline use.
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await form.waitFor();

    await context.setOffline(true);
    await form.getByLabel("2 stars").check();
    await form.getByLabel("Title").fill("Written on a train");
    await form.getByLabel("Your review").fill("No network here, and nothing lost.");
    // Each keystroke's draft is written to IndexedDB asynchronously: reload once the last one landed,
    // as a person would (a reload within the same millisecond could cut that write short).
    await page.waitForFunction(async (body) => {
      const names = (await indexedDB.databases()).map((d) => d.name ?? "").filter((n) => n.startsWith("plaza:drafts:"));
      for (const name of names) {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const open = indexedDB.open(name);
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error);
        });
        const drafts = await new Promise<unknown[]>((resolve, reject) => {
          const all = db.transaction("drafts").objectStore("drafts").getAll();
          all.onsuccess = () => resolve(all.result);
          all.onerror = () => reject(all.error);
        });
        db.close();
        if (JSON.stringify(drafts).includes(body)) return true;
      }
      return false;
    }, "No network here, and nothing lost.");
    await page.reload();
    await page.getByText("Your draft from this device, not yet published, is restored.").waitFor();
    expect(await form.getByLabel("2 stars").isChecked()).toBe(true);
    expect(await form.getByLabel("Your review").inputValue()).toBe("No network here, and nothing lost.");
    await form.getByRole("button", { name: "Publish review" }).click();
    await page.getByText("Saved on this device: your review is sent when Plaza can be reached.").waitFor();
    await page.getByTestId("save-status").getByText("Offline (1 change waiting)").waitFor();

    await context.setOffline(false);
    await page.getByRole("status").filter({ hasText: "Published." }).waitFor({ timeout: WAIT.backgroundWork });
    await page.getByRole("form", { name: "Edit your review" }).waitFor();
    await page.getByTestId("save-status").getByText("Saved").waitFor();
    const mine = await api<{ review: { rating: number; title: string } | null }>(
      "GET",
      `/v1/items/${SLUG}/reviews/mine`,
      undefined,
      trollToken,
    );
    expect(mine.body.review).toMatchObject({ rating: 2, title: "Written on a train" });
    // Published, the draft is gone: the page read again shows the review, not a restored draft.
    await page.reload();
    await page.getByRole("form", { name: "Edit your review" }).waitFor();
    expect(await page.getByText("Your draft from this device").count()).toBe(0);
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  test("a member of the org reads the reviews without reply or report controls", async () => {
    const { context, page } = await openAs(member, `/dashboard/items/${itemId}/reviews`);
    const card = reviewCard(page, buyer.name);
    await card.getByText("Thank you! 1.1 is out with more inks.").waitFor();
    await page.getByText("Admins reply to reviews and report them to the operators").waitFor();
    expect(await page.getByRole("button", { name: /Edit reply|Post reply|Report to operator/ }).count()).toBe(0);
    expect(await page.locator("textarea").count()).toBe(0);
    await context.close();
  });

  test("someone who never got the item is told why they cannot review", async () => {
    const { context, page } = await openAs(stranger, `/review/${SLUG}`);
    await page.getByText(`You can't review ${ITEM} yet.`).waitFor();
    await page.getByText("Only buyers whose access is active can write a review.").waitFor();
    await page.getByRole("link", { name: "Get it (it is free) on the storefront" }).waitFor();
    expect(await page.getByRole("form").count()).toBe(0);
    await shot(page, "6-not-a-buyer");
    await context.close();
    expect(pageErrors).toEqual([]);
  });
});
