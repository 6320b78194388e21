// Selling through the real API, for the benches that need published items and purchases
// (`scale`, `downloads`): publish an item with a bundle (version upload), onboard the seller's org
// on the Stripe emulator's hosted Connect page, buy an item on its hosted Checkout page.
import { createHash } from "node:crypto";
import { eventually } from "../../scripts/lib/eventually.ts";
import { completeHostedOnboarding } from "../../scripts/seed-payments.mjs";
import { call } from "./plaza-api.mjs";

/** How long fulfillment (webhook → queue → consumer → Stripe re-read) may take to issue the key. */
const FULFILLMENT_TIMEOUT_MS = 60_000;

/** Where a bundle lives in R2: content-addressed by its SHA-256, as `bundleKey` in worker/src/catalog/versions.ts. */
export const bundleKey = (sha256) => `bundles/sha256/${sha256}`;
export const sha256Hex = (bytes) => createHash("sha256").update(bytes).digest("hex");

/**
 * Creates an item, publishes version 1.0.0 with `bundle` through the upload API, then the item.
 * @param {string} url @param {{ accessToken: string, orgId: string }} author
 * @param {{ slug: string, pricing: object, bundle: Buffer, name?: string }} item
 */
export async function publishItem(url, author, { slug, pricing, bundle, name = `Bench ${slug}` }) {
  const { accessToken: token, orgId } = author;
  const item = await call(url, "POST", `/v1/orgs/${orgId}/items`, {
    token,
    body: { slug, name, summary: "Benchmark item", category: "developer-tools", pricing },
  });
  const sha256 = sha256Hex(bundle);
  const manifest = {
    name: slug,
    version: "1.0.0",
    entry: "dist/index.js",
    permissions: [],
    engines: { plaza: "^1.0.0" },
    dependencies: {},
  };
  const upload = await call(url, "POST", `/v1/items/${slug}/uploads`, {
    token,
    body: { version: "1.0.0", manifest, sha256, size: bundle.length },
  });
  const put = await fetch(`${url}${upload.uploadUrl}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/gzip" },
    body: bundle,
  });
  const putText = await put.text();
  if (put.status !== 201) throw new Error(`PUT ${upload.uploadUrl} → ${put.status}: ${putText.slice(0, 300)}`);
  await call(url, "PATCH", `/v1/orgs/${orgId}/items/${item.id}`, { token, body: { status: "published" } });
  return { id: item.id, slug, sha256 };
}

/** The author's org finishes onboarding on the emulator's hosted Connect page and can take charges. */
export async function onboardSeller(url, author) {
  const { accessToken: token, orgId } = author;
  const onboarding = await call(url, "POST", `/v1/orgs/${orgId}/connect/onboarding`, { token });
  await completeHostedOnboarding(onboarding.url);
  await eventually(
    "the author's org to take charges",
    async () => (await call(url, "GET", `/v1/orgs/${orgId}/connect`, { token })).chargesEnabled,
    {
      timeoutMs: 30_000,
      intervalMs: 250,
    },
  );
}

/**
 * Presses Pay on the emulator's hosted Checkout page of `checkoutUrl` (no card needed).
 * @param {string} checkoutUrl @param {string} emulatorUrl
 */
export async function payHostedCheckout(checkoutUrl, emulatorUrl) {
  const page = await fetch(checkoutUrl);
  const html = await page.text();
  const action = /<form[^>]*action="([^"]+\/pay)"/.exec(html)?.[1];
  if (page.status !== 200 || !action)
    throw new Error(`the emulator's checkout page ${checkoutUrl} answered ${page.status} without a Pay form`);
  const paid = await fetch(new URL(action, emulatorUrl), {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "outcome=pay",
  });
  await paid.arrayBuffer();
  if (paid.status !== 303) throw new Error(`Pay on the emulator's checkout page answered ${paid.status}, not a 303 to the success page`);
}

/**
 * `buyer` buys `item` (onboarded seller) the way a browser does: opens a checkout, presses Pay on
 * the hosted page; the emulator's signed webhook fulfills it, and the success page's status call
 * reveals the license key once. `onCheckout(res)` sees the checkout request's response (headers);
 * `headers` go on the checkout request.
 * @returns {Promise<{ checkoutId: string, licenseKey: string }>}
 */
export async function buyItem(url, emulatorUrl, buyer, item, { onCheckout, headers = {} } = {}) {
  const res = await fetch(`${url}/v1/items/${item.slug}/checkout`, {
    method: "POST",
    headers: { ...headers, authorization: `Bearer ${buyer.accessToken}`, "content-type": "application/json", accept: "application/json" },
    body: "{}",
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST /v1/items/${item.slug}/checkout → ${res.status}: ${text.slice(0, 300)}`);
  onCheckout?.(res);
  const checkout = JSON.parse(text);
  await payHostedCheckout(checkout.url, emulatorUrl);
  // The key is in the first status answer after fulfillment, and only in that one.
  const licenseKey = await eventually(
    "the purchase's license key",
    async () => (await call(url, "GET", `/v1/checkouts/${checkout.checkoutId}`)).licenseKey,
    { timeoutMs: FULFILLMENT_TIMEOUT_MS, intervalMs: 100 },
  );
  return { checkoutId: checkout.checkoutId, licenseKey };
}
