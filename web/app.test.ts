/**
 * The browser app against the real Worker: `wrangler dev` serves web/dist and the API on one
 * origin, Debian Chromium drives it. Covers the first-run path a new user takes: sign up, verify
 * via the dev mailbox, log in, create orgs, switch between them, manage members and tokens; and the
 * notifications bell, list and preferences.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { assertViteBuild, launchChromium, newContext } from "../scripts/lib/browser.mjs";
import { eventually } from "../scripts/lib/eventually";
import { logInWhenAsked } from "../scripts/lib/log-in";
import { expectStatus, plazaApi } from "../scripts/lib/plaza-api";
import { ephemeralSecrets, startWranglerDev } from "../scripts/lib/wrangler-dev.mjs";
import type { OrgT } from "../shared/api";
import type { NotificationListT, NotificationPreferencesT } from "../shared/notifications";

const SCREENSHOTS = "/tmp/plaza-web";

const user = {
  name: "Ada Lovelace",
  email: `ada-${Date.now()}@example.com`,
  password: "analytical engine 1843",
};

let server: Awaited<ReturnType<typeof startWranglerDev>>;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

/** The newest link to `path` in an e-mail to `to`, read from the dev mailbox. */
async function linkFromMailbox(to: string, path: string): Promise<string> {
  return eventually(`an e-mail to ${to} with a ${path} link`, async () => {
    const res = await fetch(`${server.url}/dev/mailbox.json`);
    const { data } = (await res.json()) as { data: { to: string; text: string }[] };
    for (const mail of data.filter((m) => m.to === to)) {
      const link = new RegExp(`https?://\\S+${path.replace(/[/?]/g, "\\$&")}\\?token=\\S+`).exec(mail.text)?.[0];
      if (link) return link;
    }
    return undefined;
  });
}

const screenshot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

beforeAll(async () => {
  assertViteBuild();
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startWranglerDev({ secrets: ephemeralSecrets() });
  browser = await launchChromium();
  context = await newContext(browser, { baseURL: server.url, viewport: { width: 1200, height: 800 } });
  page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(String(err)));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("web app", () => {
  test("sign up, verify the e-mail, log in, create an org and see yourself as its owner", async () => {
    await page.goto("/signup");
    await page.getByLabel("Name").fill(user.name);
    await page.getByLabel("E-mail").fill(user.email);
    await page.getByLabel("Password").fill("too short");
    await page.getByRole("button", { name: "Create account" }).click();
    // Client-side validation with the shared schema, shown next to the field.
    await page.getByText("Must be at least 10 characters").waitFor();
    await page.getByLabel("Password").fill(user.password);
    await screenshot("1-signup");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByText("Check your e-mail.").waitFor();
    await page.getByRole("link", { name: "dev mailbox" }).waitFor();
    await screenshot("2-check-email");

    // Logging in before verifying explains why and offers a new link.
    await page.goto("/login");
    await page.getByLabel("E-mail").fill(user.email);
    await page.getByLabel("Password").fill(user.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("button", { name: "Send the verification link again" }).click();
    await page.getByText(`A new link is on its way to ${user.email}.`).waitFor();

    const verifyLink = await linkFromMailbox(user.email, "/verify-email");
    expect(new URL(verifyLink).origin).toBe(server.url);
    await page.goto(verifyLink);
    await page.getByRole("heading", { name: "E-mail verified" }).waitFor();
    await screenshot("3-verified");
    await page.getByRole("link", { name: "Log in" }).click();

    // The e-mail is carried over; a wrong password gets a clear message.
    expect(await page.getByLabel("E-mail").inputValue()).toBe(user.email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByText("E-mail or password is incorrect").waitFor();
    await screenshot("4-login-error");
    await page.getByLabel("Password").fill(user.password);
    await page.getByRole("button", { name: "Log in" }).click();

    // Logging in lands on the dashboard (`/` is the storefront); a new user has no org yet, so it asks for one.
    await page.waitForURL(/\/dashboard$/);
    await page.getByTestId("user-name").filter({ hasText: user.name }).waitFor();
    await page.getByRole("heading", { name: "Create your first org" }).waitFor();
    await screenshot("5-welcome");
    const main = page.getByRole("main");
    await main.getByLabel("Org name").fill("Analytical Engines");
    expect(await main.getByLabel("Slug").inputValue()).toBe("analytical-engines");
    await main.getByRole("button", { name: "Create org" }).click();

    await page.waitForURL(/\/orgs\/org_[A-Za-z0-9]+\/members$/);
    const firstOrgId = /\/orgs\/(org_[A-Za-z0-9]+)\//.exec(page.url())![1]!;
    const switcher = page.getByLabel("Org", { exact: true });
    await expect.poll(() => switcher.inputValue()).toBe(firstOrgId);
    await expect.poll(() => switcher.locator("option:checked").textContent()).toBe("Analytical Engines (owner)");
    await page.getByRole("heading", { level: 1, name: "Analytical Engines" }).waitFor();
    const myRow = page.getByRole("row").filter({ hasText: user.email });
    const myRole = myRow.getByRole("combobox", { name: `Role of ${user.name}` });
    expect(await myRole.inputValue()).toBe("owner");

    // The only owner cannot step down: the API's `last_owner` shows in the row.
    await myRole.selectOption("admin");
    await myRow.getByRole("alert").filter({ hasText: "at least one owner" }).waitFor();
    expect(await myRole.inputValue()).toBe("owner");
    await screenshot("6-members");

    // A reload keeps the session: the access token was in memory only, the refresh cookie restores it.
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "Analytical Engines" }).waitFor();
    const storage = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
    expect(storage).not.toMatch(/eyJ|rt_/);

    // A second org from the header dialog, then back with the switcher.
    await page.getByRole("button", { name: "New org" }).click();
    const dialog = page.getByRole("dialog", { name: "Create an org" });
    await dialog.getByLabel("Org name").fill("Difference Engines");
    await dialog.getByRole("button", { name: "Create org" }).click();
    await page.getByRole("heading", { level: 1, name: "Difference Engines" }).waitFor();
    await expect.poll(() => switcher.locator("option:checked").textContent()).toBe("Difference Engines (owner)");
    await switcher.selectOption(firstOrgId);
    await page.waitForURL(`**/orgs/${firstOrgId}/members`);
    await page.getByRole("heading", { level: 1, name: "Analytical Engines" }).waitFor();

    // Inviting shows the pending invitation.
    await main.getByLabel("E-mail").fill("charles@example.com");
    await main.getByLabel("Role", { exact: true }).selectOption("admin");
    await main.getByRole("button", { name: "Send invitation" }).click();
    await page.getByRole("region", { name: "Pending invitations" }).getByRole("cell", { name: "charles@example.com" }).waitFor();

    await page.getByRole("link", { name: "Audit log" }).click();
    await page.getByRole("cell", { name: "org.created" }).first().waitFor();
    await screenshot("7-audit");
    expect(pageErrors).toEqual([]);
  });

  test("creates an API token and shows its secret only once", async () => {
    await page.getByRole("link", { name: "API tokens" }).click();
    await page.getByRole("heading", { level: 1, name: "API tokens" }).waitFor();
    const main = page.getByRole("main");
    // Submitting empty marks the missing fields instead of calling the API.
    await main.getByRole("button", { name: "Create token" }).click();
    await main.getByText("Is required").waitFor();
    await main.getByText("Choose at least 1").waitFor();

    await main.getByLabel("Name", { exact: true }).fill("CI publish");
    await main.getByLabel(/^profile:read/).check();
    await main.getByLabel(/^orgs:read/).check();
    await main.getByLabel("Expires after (days)").fill("30");
    await main.getByRole("button", { name: "Create token" }).click();

    const secret = await page.getByTestId("token-secret").inputValue();
    expect(secret).toMatch(/^plz_/);
    await page.getByRole("row").filter({ hasText: "CI publish" }).waitFor();
    await screenshot("8-token-created");

    // The secret works as a bearer token with the scopes picked.
    const me = await fetch(`${server.url}/v1/me`, { headers: { authorization: `Bearer ${secret}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { email: string } }).user.email).toBe(user.email);

    await page.getByRole("button", { name: "Done" }).click();
    await expect.poll(() => page.getByTestId("token-secret").count()).toBe(0);
    await page.reload();
    await page.getByRole("row").filter({ hasText: "CI publish" }).waitFor();
    expect(await page.getByTestId("token-secret").count()).toBe(0);
    expect(await page.content()).not.toContain(secret);

    await page.getByRole("link", { name: "Sessions" }).click();
    await page.getByText("This device").waitFor();
    await screenshot("9-sessions");

    // Revoking the browser's session from elsewhere sends the browser back to login with a reason.
    const browserSessionId = await page.getByRole("row").filter({ hasText: "This device" }).getAttribute("data-session-id");
    const other = await fetch(`${server.url}/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: user.email, password: user.password }),
    });
    const { accessToken } = (await other.json()) as { accessToken: string };
    const revoked = await fetch(`${server.url}/v1/me/sessions/${browserSessionId}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(revoked.status).toBe(204);
    await page.getByRole("link", { name: "API tokens" }).click();
    await page.getByText("Your session has ended. Please log in again.").waitFor();
    await page.waitForURL(/\/login\?next=%2Fsettings%2Ftokens/);
    expect(pageErrors).toEqual([]);
  });

  test("an invited user logs in from the invitation link and lands in the org", async () => {
    // Charles (invited as admin above) gets an account through the API; the browser part starts at the link.
    const charles = { name: "Charles Babbage", email: "charles@example.com", password: "difference engine 1822" };
    const signup = await fetch(`${server.url}/v1/auth/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(charles),
    });
    expect(signup.status).toBe(201);
    const verifyToken = new URL(await linkFromMailbox(charles.email, "/verify-email")).searchParams.get("token");
    const verified = await fetch(`${server.url}/v1/auth/verify-email`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: verifyToken }),
    });
    expect(verified.status).toBe(200);

    const guest = await (await newContext(browser, { baseURL: server.url })).newPage();
    guest.on("pageerror", (err) => pageErrors.push(String(err)));
    await guest.goto(await linkFromMailbox(charles.email, "/invites/accept"));
    await guest.getByText("Log in to accept your invitation.").waitFor();
    await guest.getByLabel("E-mail").fill(charles.email);
    await guest.getByLabel("Password").fill(charles.password);
    await guest.getByRole("button", { name: "Log in" }).click();
    await guest.getByText("You joined Analytical Engines as admin.").waitFor();
    await guest.getByRole("link", { name: "Go to Analytical Engines" }).click();
    await guest.getByRole("row").filter({ hasText: user.email }).waitFor();
    await guest.getByRole("row").filter({ hasText: charles.email }).waitFor();
    await guest.screenshot({ path: join(SCREENSHOTS, "10-invitee-members.png"), fullPage: true });
    await guest.context().close();
    expect(pageErrors).toEqual([]);
  });

  test("repeated failed logins show when to try again", async () => {
    const guest = await (await newContext(browser, { baseURL: server.url })).newPage();
    await guest.goto("/login");
    await guest.getByLabel("E-mail").fill("nobody@example.com");
    await guest.getByLabel("Password").fill("wrong password");
    const alert = guest.getByRole("alert").filter({ hasText: /incorrect|Too many attempts/ });
    // Five failures per account per window are allowed; the sixth attempt is throttled.
    for (let attempt = 1; attempt <= 6; attempt++) {
      const answered = guest.waitForResponse((res) => res.url().endsWith("/v1/auth/login"));
      await guest.getByRole("button", { name: "Log in" }).click();
      await answered;
    }
    await alert.filter({ hasText: /Too many attempts\. Try again in \d+ (minutes|seconds?)\./ }).waitFor();
    await guest.screenshot({ path: join(SCREENSHOTS, "11-rate-limited.png"), fullPage: true });
    await guest.context().close();
  });

  test("changes the password in settings: a wrong current one is marked on its field, then the new one logs in", async () => {
    const ada = await (await newContext(browser, { baseURL: server.url })).newPage();
    ada.on("pageerror", (err) => pageErrors.push(String(err)));
    await ada.goto("/settings/sessions");
    await ada.waitForURL(/\/login\?next=/);
    await ada.getByLabel("E-mail").fill(user.email);
    await ada.getByLabel("Password").fill(user.password);
    await ada.getByRole("button", { name: "Log in" }).click();
    const form = ada.getByRole("form", { name: "Change password" });
    await form.waitFor();
    const newPassword = "babbage's engine, improved";
    await form.getByLabel("Current password").fill("not the password");
    await form.getByLabel("New password", { exact: true }).fill(newPassword);
    await form.getByLabel("New password again").fill(`${newPassword}!`);
    await form.getByRole("button", { name: "Change password" }).click();
    await form.getByText("Does not match the new password").waitFor();
    await form.getByLabel("New password again").fill(newPassword);
    await form.getByRole("button", { name: "Change password" }).click();
    await form.getByText("Is not correct").waitFor();
    await form.getByLabel("Current password").fill(user.password);
    await form.getByRole("button", { name: "Change password" }).click();
    await ada.getByText("Password changed. Every other device was logged out.").waitFor();
    await ada.screenshot({ path: join(SCREENSHOTS, "12-password-changed.png"), fullPage: true });

    const loginWith = (password: string) =>
      fetch(`${server.url}/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json", "cf-connecting-ip": "203.0.113.50" },
        body: JSON.stringify({ email: user.email, password }),
      });
    expect([(await loginWith(user.password)).status, (await loginWith(newPassword)).status]).toEqual([401, 200]);
    user.password = newPassword;
    await ada.context().close();
    expect(pageErrors).toEqual([]);
  });
});

describe("notifications", () => {
  const { api, signUpAndLogIn } = plazaApi(() => server.url);
  const run = Date.now().toString(36);
  const grace = { name: "Grace Hopper", email: `grace-${run}@example.com`, password: "compiler A-0, 1952" };
  const mary = { name: "Mary Keller", email: `mary-${run}@example.com`, password: "inductive inference 1965" };
  const invitation = (orgName: string) => `You're invited to ${orgName}`;

  test("an invitation reaches the bell live, the list marks it read, and 'None' keeps a type out of the app", async () => {
    const graceToken = await signUpAndLogIn(grace);
    const maryToken = await signUpAndLogIn(mary);
    const newOrg = async (name: string) => {
      const org = await api<OrgT>("POST", "/v1/orgs", { name, slug: `${name.toLowerCase().replace(/\W+/g, "-")}-${run}` }, maryToken);
      expectStatus(org, 201, `create ${name}`);
      return org.body;
    };
    const [cobol, univac, flowmatic] = [await newOrg("Cobol Committee"), await newOrg("Univac Division"), await newOrg("Flow-Matic Works")];
    const inviteGrace = async (org: OrgT) =>
      expectStatus(
        await api("POST", `/v1/orgs/${org.id}/invites`, { email: grace.email, role: "member" }, maryToken),
        201,
        `invite to ${org.name}`,
      );
    const graceList = async () => (await api<NotificationListT>("GET", "/v1/me/notifications", undefined, graceToken)).body;

    const context = await newContext(browser, { baseURL: server.url, viewport: { width: 1200, height: 800 } });
    const grc = await context.newPage();
    grc.on("pageerror", (err) => pageErrors.push(String(err)));
    await grc.goto("/dashboard");
    await logInWhenAsked(grc, grace, "/dashboard");
    const bell = (unread: number) => grc.getByRole("button", { name: `Notifications, ${unread} unread` });
    await bell(0).waitFor();

    // Live: the page is not reloaded (a reload would lose this mark) and the count still arrives.
    await grc.evaluate(() => Object.assign(window, { notReloaded: true }));
    await inviteGrace(cobol);
    await bell(1).waitFor();
    expect(await grc.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await grc.screenshot({ path: join(SCREENSHOTS, "13-bell-unread.png") });

    // Offline the stream stops; online again it resumes after the newest it had (Last-Event-ID), so
    // what arrived meanwhile still comes as a notification, not only as a count.
    await context.setOffline(true);
    await grc.waitForFunction(() => !navigator.onLine);
    await inviteGrace(univac);
    await context.setOffline(false);
    await bell(2).waitFor();

    // The popover lists it; Escape closes it from inside and focus returns to the bell.
    await bell(2).click();
    const popover = grc.getByRole("dialog", { name: "Notifications" });
    await popover.getByText(invitation(univac.name)).waitFor();
    await popover.getByText(invitation(cobol.name)).waitFor();
    await grc.screenshot({ path: join(SCREENSHOTS, "14-bell-popover.png") });
    await grc.keyboard.press("Tab");
    expect(await popover.evaluate((el) => el.contains(document.activeElement))).toBe(true);
    await grc.keyboard.press("Escape");
    await popover.waitFor({ state: "hidden" });
    expect(await grc.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Notifications, 2 unread");

    // See all → the list, unread filter; marking one read there lowers the bell and the server's count, then all.
    await bell(2).click();
    await popover.getByRole("link", { name: "See all" }).click();
    await grc.getByRole("heading", { level: 1, name: "Notifications" }).waitFor();
    await grc.getByRole("navigation", { name: "Show" }).getByRole("link", { name: "Unread" }).click();
    const entries = grc.getByRole("list", { name: "Unread notifications" }).getByRole("listitem");
    const entry = entries.filter({ hasText: invitation(cobol.name) });
    await entry.getByText("Unread", { exact: true }).waitFor();
    await entry.getByRole("button", { name: "Mark read" }).click();
    await bell(1).waitFor();
    await entry.getByText("Unread", { exact: true }).waitFor({ state: "detached" });
    await expect.poll(async () => (await graceList()).unreadCount).toBe(1);
    await grc.getByRole("main").getByRole("button", { name: "Mark all read" }).click();
    await bell(0).waitFor();
    await entries
      .filter({ hasText: invitation(univac.name) })
      .getByText("Unread", { exact: true })
      .waitFor({ state: "detached" });
    expect((await graceList()).unreadCount).toBe(0);
    await grc.screenshot({ path: join(SCREENSHOTS, "15-notifications-list.png"), fullPage: true });

    // "None" for invitations, saved on change; a second invitation then makes no in-app notification.
    await grc.getByRole("link", { name: "Choose what reaches you and how" }).click();
    const invites = grc.getByRole("group", { name: "An invitation to an organization" });
    expect(await invites.getByRole("radio", { name: "In-app" }).isChecked()).toBe(true);
    await invites.getByRole("radio", { name: "None" }).check();
    await expect
      .poll(
        async () =>
          (await api<NotificationPreferencesT>("GET", "/v1/me/notification-preferences", undefined, graceToken)).body.preferences.invite,
      )
      .toBe("none");
    await grc.getByTestId("save-status").filter({ hasText: "Saved" }).waitFor();
    await grc.screenshot({ path: join(SCREENSHOTS, "16-notification-settings.png"), fullPage: true });
    await grc.reload();
    expect(await invites.getByRole("radio", { name: "None" }).isChecked()).toBe(true);
    await inviteGrace(flowmatic);
    // A notification is written in the invite's own batch: had the preference not held, it would be listed now.
    expect((await graceList()).data.map((n) => n.title)).toEqual([invitation(univac.name), invitation(cobol.name)]);
    await context.close();
    expect(pageErrors).toEqual([]);
  });
});
