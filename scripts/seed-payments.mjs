// Demo payments for `npm start`: the demo author's org completes Stripe Connect onboarding, so
// its paid demo items (a one-time purchase and a subscription, see seed-catalog.mjs) can be
// bought in the browser. Unlike the SQL seed this needs the running servers: it goes through
// Plaza's API and the Stripe emulator's hosted onboarding page, exactly as an author's browser
// would. Idempotent: an org that can already take charges is left alone.

import { apiRequest as request } from "./lib/api-request.mjs";
import { eventually } from "./lib/eventually.ts";
import { WAIT } from "./lib/wait-budgets.mjs";

/**
 * Submits the "Complete onboarding" form of a hosted onboarding page (plain HTML, no JS) the way
 * a browser would; returns where it redirected to (Plaza's return_url).
 */
export async function completeHostedOnboarding(onboardingUrl) {
  const page = await fetch(onboardingUrl, { redirect: "manual" });
  const html = await page.text();
  if (page.status !== 200) throw new Error(`onboarding page ${onboardingUrl} answered ${page.status}`);
  const action = /<form[^>]*action="([^"]+)"[^>]*>\s*<button[^>]*>\s*Complete onboarding\s*</.exec(html)?.[1];
  if (!action) throw new Error(`no "Complete onboarding" form on ${onboardingUrl}`);
  const submitted = await fetch(new URL(action, onboardingUrl), {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "",
  });
  await submitted.arrayBuffer();
  if (submitted.status !== 303) throw new Error(`"Complete onboarding" answered ${submitted.status}, not a 303 back to Plaza`);
  return submitted.headers.get("location");
}

/** Presses Pay on the emulator's hosted checkout page (its form, as a browser posts it). */
export async function payHostedCheckout(checkoutUrl) {
  const paid = await fetch(`${checkoutUrl}/pay`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "",
  });
  await paid.arrayBuffer();
  if (paid.status !== 303) throw new Error(`Pay on ${checkoutUrl} answered ${paid.status}, not a 303 back to Plaza`);
}

/**
 * Onboards `orgSlug`'s Connect account as `email` (an admin of it) unless it can take charges.
 * @returns {Promise<{ orgId: string, alreadyOnboarded: boolean }>}
 */
export async function seedConnectOnboarding({ apiUrl, email, password, orgSlug }) {
  const { accessToken } = await request(apiUrl, "POST", "/v1/auth/login", { body: { email, password } });
  const me = await request(apiUrl, "GET", "/v1/me", { token: accessToken });
  const org = me.orgs.find((o) => o.slug === orgSlug);
  if (!org) throw new Error(`${email} is not a member of the org "${orgSlug}"`);
  const status = await request(apiUrl, "GET", `/v1/orgs/${org.orgId}/connect`, { token: accessToken });
  if (status.chargesEnabled) return { orgId: org.orgId, alreadyOnboarded: true };

  const link = await request(apiUrl, "POST", `/v1/orgs/${org.orgId}/connect/onboarding`, { token: accessToken });
  const back = await completeHostedOnboarding(link.url);
  if (!back?.includes("/dashboard/payouts")) throw new Error(`onboarding returned to ${back}, not Plaza's payouts page`);
  // GET /connect re-reads an unfinished account from Stripe, so this does not wait on the webhook.
  await eventually(
    `Plaza to see ${orgSlug}'s finished onboarding`,
    async () => (await request(apiUrl, "GET", `/v1/orgs/${org.orgId}/connect`, { token: accessToken })).chargesEnabled,
    { timeoutMs: WAIT.step, intervalMs: 250 },
  );
  return { orgId: org.orgId, alreadyOnboarded: false };
}
