// Demo payments for `npm start`: the demo author's org completes Stripe Connect onboarding, so
// its paid demo items (a one-time purchase and a subscription, see seed-catalog.mjs) can be
// bought in the browser. Unlike the SQL seed this needs the running servers: it goes through
// Plaza's API and the Stripe emulator's hosted onboarding page, exactly as an author's browser
// would. Idempotent: an org that can already take charges is left alone.

import { randomBytes } from "node:crypto";
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

/**
 * Presses Pay on the emulator's hosted checkout page (its form, as a browser posts it), with the
 * billing country (and tax id) the page asks for when tax is collected (a US buyer pays none).
 */
export async function payHostedCheckout(checkoutUrl, billing = { country: "US" }) {
  const paid = await fetch(`${checkoutUrl}/pay`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(billing).toString(),
  });
  await paid.arrayBuffer();
  if (paid.status !== 303) throw new Error(`Pay on ${checkoutUrl} answered ${paid.status}, not a 303 back to Plaza`);
}

/** Logs in as `email` and finds `orgSlug` among their orgs. */
async function logInToOrg({ apiUrl, email, password, orgSlug }) {
  const { accessToken } = await request(apiUrl, "POST", "/v1/auth/login", { body: { email, password } });
  const org = (await request(apiUrl, "GET", "/v1/me", { token: accessToken })).orgs.find((o) => o.slug === orgSlug);
  if (!org) throw new Error(`${email} is not a member of the org "${orgSlug}"`);
  return { accessToken, orgId: org.orgId };
}

/** Whether the org has sold anything to `email` (how a seed step knows it ran already). */
async function hasSoldTo({ apiUrl, accessToken, orgId }, email) {
  const sales = await request(apiUrl, "GET", `/v1/orgs/${orgId}/orders?limit=100`, { token: accessToken });
  return sales.data.some((order) => order.email === email);
}

/**
 * A guest buys `item` on the hosted checkout and Plaza makes the order. The idempotency key makes a
 * re-run after an interrupted one find the same session. @returns {Promise<{ checkoutId: string, orderId: string }>}
 */
async function guestBuys({ apiUrl, email, item, seedStep, billing }) {
  const session = await request(apiUrl, "POST", `/v1/items/${item}/checkout`, {
    body: { email },
    headers: { "idempotency-key": `demo-seed:${seedStep}:${email}:${item}` },
  });
  if ((await request(apiUrl, "GET", `/v1/checkouts/${session.checkoutId}`)).status !== "complete") {
    await payHostedCheckout(session.url, billing);
  }
  const orderId = await eventually(
    `the order of ${email}`,
    async () => (await request(apiUrl, "GET", `/v1/checkouts/${session.checkoutId}`)).orderId,
    { timeoutMs: WAIT.backgroundWork, intervalMs: 250 },
  );
  return { checkoutId: session.checkoutId, orderId };
}

/** The demo's taxed order: a guest in Germany buys with a VAT number, and Stripe Tax adds 19 % (`npm start` collects tax). */
export const DEMO_TAXED_ORDER = { email: "klara@plaza.local", item: "ai-autocomplete", country: "DE", taxId: "DE811907980" };

/**
 * Buys DEMO_TAXED_ORDER's item as that guest unless `orgSlug` (administered by `authorEmail`) has
 * sold to them already; the idempotency key makes a re-run after an interrupted one find the same
 * session. @returns {Promise<boolean>} whether it bought
 */
export async function seedTaxedOrder({ apiUrl, authorEmail, password, orgSlug }) {
  const { email, item, country, taxId } = DEMO_TAXED_ORDER;
  const author = { apiUrl, ...(await logInToOrg({ apiUrl, email: authorEmail, password, orgSlug })) };
  if (await hasSoldTo(author, email)) return false;
  await guestBuys({ apiUrl, email, item, seedStep: "tax", billing: { country, tax_id: taxId } });
  return true;
}

/** The demo's coupon: 20 % off the one-time AI Autocomplete, as its author makes one on the studio's Coupons tab. */
export const DEMO_COUPON = { code: "LAUNCH20", item: "ai-autocomplete", percentOff: 20 };

/**
 * Creates DEMO_COUPON as `authorEmail` (an admin of `orgSlug`) unless the item has it already.
 * @returns {Promise<boolean>} whether it created it
 */
export async function seedCoupon({ apiUrl, authorEmail, password, orgSlug }) {
  const { code, item: slug, percentOff } = DEMO_COUPON;
  const { accessToken, orgId } = await logInToOrg({ apiUrl, email: authorEmail, password, orgSlug });
  const items = await request(apiUrl, "GET", `/v1/orgs/${orgId}/items`, { token: accessToken });
  const item = items.data.find((i) => i.slug === slug);
  if (!item) throw new Error(`${orgSlug} has no item "${slug}"`);
  const couponsPath = `/v1/orgs/${orgId}/items/${item.id}/coupons`;
  const coupons = await request(apiUrl, "GET", couponsPath, { token: accessToken });
  if (coupons.data.some((coupon) => coupon.code === code)) return false;
  await request(apiUrl, "POST", couponsPath, { token: accessToken, body: { code, percentOff } });
  return true;
}

/**
 * Onboards `orgSlug`'s Connect account as `email` (an admin of it) unless it can take charges.
 * @returns {Promise<{ orgId: string, alreadyOnboarded: boolean }>}
 */
export async function seedConnectOnboarding({ apiUrl, email, password, orgSlug }) {
  const { accessToken, orgId } = await logInToOrg({ apiUrl, email, password, orgSlug });
  const status = await request(apiUrl, "GET", `/v1/orgs/${orgId}/connect`, { token: accessToken });
  if (status.chargesEnabled) return { orgId: orgId, alreadyOnboarded: true };

  const link = await request(apiUrl, "POST", `/v1/orgs/${orgId}/connect/onboarding`, { token: accessToken });
  const back = await completeHostedOnboarding(link.url);
  if (!back?.includes("/dashboard/payouts")) throw new Error(`onboarding returned to ${back}, not Plaza's payouts page`);
  // GET /connect re-reads an unfinished account from Stripe, so this does not wait on the webhook.
  await eventually(
    `Plaza to see ${orgSlug}'s finished onboarding`,
    async () => (await request(apiUrl, "GET", `/v1/orgs/${orgId}/connect`, { token: accessToken })).chargesEnabled,
    { timeoutMs: WAIT.step, intervalMs: 250 },
  );
  return { orgId: orgId, alreadyOnboarded: false };
}

/** The demo's open dispute: a guest's purchase their bank disputes; its author sees it on Earnings with the deadline. */
export const DEMO_DISPUTE = { email: "dana@plaza.local", item: "ai-autocomplete", reason: "product_not_received" };

/**
 * Has the Stripe emulator open a dispute on the charge that paid Plaza checkout `checkoutId` (found
 * through the emulator's own API, which takes any test key), as a cardholder's bank would.
 * @returns {Promise<string>} the dispute's id (`du_…`)
 */
export async function openDisputeOn({ stripeUrl, checkoutId, reason }) {
  const key = `sk_test_${randomBytes(12).toString("hex")}`;
  const stripe = async (method, path, body) => {
    const res = await fetch(`${stripeUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: body && JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`Stripe emulator ${method} ${path} answered ${res.status}: ${await res.text()}`);
    return res.json();
  };
  const sessions = await stripe("GET", "/v1/checkout/sessions?limit=100");
  const session = sessions.data.find((s) => s.client_reference_id === checkoutId);
  if (!session?.payment_intent) throw new Error(`no paid Stripe session for ${checkoutId}`);
  const intent = await stripe("GET", `/v1/payment_intents/${session.payment_intent}`);
  return (await stripe("POST", `/_emulator/charges/${intent.latest_charge}/dispute`, { reason })).id;
}

/**
 * Buys DEMO_DISPUTE's item as that guest and opens a dispute on the payment, unless `orgSlug`
 * (administered by `authorEmail`) sold to them already; waits until Plaza lists it as open.
 * @returns {Promise<boolean>} whether it opened one
 */
export async function seedOpenDispute({ apiUrl, stripeUrl, authorEmail, password, orgSlug }) {
  const { email, item, reason } = DEMO_DISPUTE;
  const author = { apiUrl, ...(await logInToOrg({ apiUrl, email: authorEmail, password, orgSlug })) };
  if (await hasSoldTo(author, email)) return false;
  const { checkoutId, orderId } = await guestBuys({ apiUrl, email, item, seedStep: "dispute" });
  await openDisputeOn({ stripeUrl, checkoutId, reason });
  await eventually(
    `Plaza to record the dispute of ${email}`,
    async () =>
      (await request(apiUrl, "GET", `/v1/orgs/${author.orgId}/disputes?state=open`, { token: author.accessToken })).data.find(
        (d) => d.orderId === orderId,
      ),
    { timeoutMs: WAIT.backgroundWork, intervalMs: 250 },
  );
  return true;
}
