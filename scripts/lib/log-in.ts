import type { Page } from "playwright-core";

/**
 * On a page the app just sent to its login form (`/login?next=…`, after opening a signed-in
 * route): fills it in as `user`, logs in and waits to land on `path`, as a person would.
 */
export async function logInWhenAsked(page: Page, user: { email: string; password: string }, path: string): Promise<void> {
  await page.waitForURL(/\/login\?next=/);
  await page.getByLabel("E-mail").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(`**${path}`);
}
