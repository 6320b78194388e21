// The demo author's studio for `npm start`: Acme Plugins' items get icons and screenshots, the demo
// buyers buy the paid items on the Stripe emulator's hosted checkout (real orders, so the studio
// shows sales of the last 30 days) and get the free ones, review them, and the author replies to
// most reviews. Like seed-payments.mjs it goes through Plaza's running API as a browser would, so
// every row is one the app itself wrote. Idempotent: images only for items without any, purchases
// only for buyers without access, reviews and replies only where there are none yet.
import { apiRequest as request } from "./lib/api-request.mjs";
import { eventually } from "./lib/eventually.ts";
import { WAIT } from "./lib/wait-budgets.mjs";
import { DEMO_ITEMS } from "./seed-catalog.mjs";
import { demoIcon, demoScreenshots } from "./seed-images.mjs";
import { payHostedCheckout } from "./seed-payments.mjs";

/** Paid items the demo buyers bought (buyer@plaza.local keeps them to buy in the browser). */
const DEMO_PURCHASES = [
  { buyer: "cleo@plaza.local", item: "ai-autocomplete" },
  { buyer: "dev@plaza.local", item: "ai-autocomplete" },
  { buyer: "cleo@plaza.local", item: "team-analytics" },
  { buyer: "dev@plaza.local", item: "team-analytics" },
];

/** Each buyer's review of an item they bought or got; `reply` is the author's answer, if any. */
export const DEMO_REVIEWS = [
  {
    buyer: "buyer@plaza.local",
    item: "markdown-studio",
    rating: 5,
    title: "My daily driver",
    body: "Live preview beside the source is exactly what I wanted, and tables finally look the way they will when published.",
    reply: "Thank you, Bea! Footnotes are in the 1.3 beta if you would like to try them early.",
  },
  {
    buyer: "dev@plaza.local",
    item: "markdown-studio",
    rating: 4,
    title: "Great editor, PDF export could do more",
    body: "Export to PDF works well, but I would love a choice of page size and margins.",
    reply: "Page size and margins are next on our list. Thanks for the detailed feedback!",
  },
  {
    buyer: "cleo@plaza.local",
    item: "ai-autocomplete",
    rating: 5,
    title: "Saves me an hour a day",
    body: "Suggestions are quick and Tab to accept feels natural. Bringing my own key took a minute.",
    reply: "Glad it fits your workflow, Cleo!",
  },
  {
    buyer: "dev@plaza.local",
    item: "ai-autocomplete",
    rating: 3,
    title: "Good, but eager inside comments",
    body: "Helpful in code, though it suggests too much while I write comments. A setting to turn that off would make it five stars.",
    reply: null,
  },
  {
    buyer: "cleo@plaza.local",
    item: "team-analytics",
    rating: 4,
    title: "Finally see who changed what",
    body: "The per-teammate view helped us share reviews fairly across the team. CSV export would be welcome.",
    reply: "CSV export ships in the next release. Thanks, Cleo!",
  },
  {
    buyer: "buyer@plaza.local",
    item: "midnight-theme",
    rating: 5,
    title: "Easy on the eyes",
    body: "Comfortable for long evenings, and the contrast really is good for every colour.",
    reply: null,
  },
];

const ITEMS_BY_SLUG = new Map(DEMO_ITEMS.map((item) => [item.slug, item]));

async function login(apiUrl, email, password) {
  const { accessToken } = await request(apiUrl, "POST", "/v1/auth/login", { body: { email, password } });
  return accessToken;
}

/** Icons for items without one, screenshots for items without any; answers how many were uploaded. */
async function seedImages({ apiUrl, token, orgId, items }) {
  const uploaded = { icons: 0, screenshots: 0 };
  const base = (item) => `/v1/orgs/${orgId}/items/${item.id}`;
  await Promise.all(
    items.map(async (item) => {
      const demo = ITEMS_BY_SLUG.get(item.slug);
      if (!demo) return;
      if (!item.iconUrl) {
        await request(apiUrl, "PUT", `${base(item)}/icon`, { token, body: demoIcon(demo), contentType: "image/png" });
        uploaded.icons++;
      }
      if (item.screenshotUrls.length > 0) return;
      // One after another: they are listed in the order added.
      for (const screenshot of demoScreenshots(demo)) {
        await request(apiUrl, "POST", `${base(item)}/screenshots`, { token, body: screenshot, contentType: "image/png" });
        uploaded.screenshots++;
      }
    }),
  );
  await imagesProcessed({ apiUrl, token, orgId });
  return uploaded;
}

/**
 * Uploaded images are processed behind a queue (variants, placeholder) and shown only once ready:
 * waits until every demo image is, so the storefront shows them once the seed is done.
 */
async function imagesProcessed({ apiUrl, token, orgId }) {
  const images = await eventually(
    "the demo images to be processed",
    async () => {
      const { data } = await request(apiUrl, "GET", `/v1/orgs/${orgId}/studio/items`, { token });
      const all = data.filter((item) => ITEMS_BY_SLUG.has(item.slug)).flatMap((item) => [item.icon, ...item.screenshots].filter(Boolean));
      return all.every((image) => image.state === "ready" || image.state === "failed") && all;
    },
    { timeoutMs: WAIT.backgroundWork, intervalMs: 250 },
  );
  const failed = images.filter((image) => image.state === "failed");
  if (failed.length > 0) throw new Error(`demo images failed: ${failed.map((image) => `${image.url} (${image.failure})`).join(", ")}`);
}

const holdsActive = async (apiUrl, token, slug) =>
  (await request(apiUrl, "GET", "/v1/me/entitlements?limit=100", { token })).data.some((e) => e.itemSlug === slug && e.status === "active");

/**
 * Buys `slug` as the signed-in buyer unless they hold it: checkout, Pay on the hosted page, then
 * the webhook's order and access. The idempotency key makes a re-run after an interrupted one
 * find the same session (paid already, or not) instead of opening a second purchase.
 */
async function buy({ apiUrl, token, email, slug }) {
  if (await holdsActive(apiUrl, token, slug)) return false;
  const session = await request(apiUrl, "POST", `/v1/items/${slug}/checkout`, {
    token,
    body: {},
    headers: { "idempotency-key": `demo-seed:${email}:${slug}` },
  });
  const status = await request(apiUrl, "GET", `/v1/checkouts/${session.checkoutId}`, { token });
  if (status.status !== "complete") await payHostedCheckout(session.url);
  await eventually(
    `the order and access for ${email}'s purchase of ${slug}`,
    async () =>
      (await request(apiUrl, "GET", `/v1/checkouts/${session.checkoutId}`, { token })).orderId && holdsActive(apiUrl, token, slug),
    { timeoutMs: WAIT.backgroundWork, intervalMs: 250 },
  );
  return true;
}

/**
 * The demo purchases, one after another: four at once once left one without its order within the
 * wait on a loaded 2-core machine (a Stripe event retried waits 5 s, then 10, 20, …).
 */
async function seedPurchases({ apiUrl, tokens }) {
  let bought = 0;
  for (const { buyer, item } of DEMO_PURCHASES) {
    if (await buy({ apiUrl, token: tokens.get(buyer), email: buyer, slug: item })) bought++;
  }
  return bought;
}

/**
 * One buyer's free items and reviews. A review of an item the buyer cannot review (a paid item,
 * when purchases are left out) is skipped. Answers the buyer's reviews as the API has them.
 */
async function seedReviews({ apiUrl, token, email }) {
  const reviews = [];
  let written = 0;
  for (const demo of DEMO_REVIEWS.filter((r) => r.buyer === email)) {
    if (ITEMS_BY_SLUG.get(demo.item).pricing.model === "free") await request(apiUrl, "POST", `/v1/items/${demo.item}/get`, { token });
    let { review, canReview } = await request(apiUrl, "GET", `/v1/items/${demo.item}/reviews/mine`, { token });
    if (!review && canReview) {
      const { rating, title, body } = demo;
      review = await request(apiUrl, "POST", `/v1/items/${demo.item}/reviews`, { token, body: { rating, title, body } });
      written++;
    }
    if (review) reviews.push({ demo, review });
  }
  return { written, reviews };
}

/**
 * Seeds Acme Plugins' studio as its owner `authorEmail` and the demo buyers (all with `password`).
 * `withPurchases` only when the Stripe emulator runs and the org can take payments.
 * @returns {Promise<{ icons: number, screenshots: number, purchases: number, reviews: number, replies: number }>} what this run added
 */
export async function seedStudio({ apiUrl, password, authorEmail, orgSlug, withPurchases }) {
  const token = await login(apiUrl, authorEmail, password);
  const me = await request(apiUrl, "GET", "/v1/me", { token });
  const orgId = me.orgs.find((o) => o.slug === orgSlug)?.orgId;
  if (!orgId) throw new Error(`${authorEmail} is not a member of the org "${orgSlug}"`);
  const { data: items } = await request(apiUrl, "GET", `/v1/orgs/${orgId}/studio/items`, { token });
  const buyers = [...new Set([...DEMO_PURCHASES, ...DEMO_REVIEWS].map((entry) => entry.buyer))];
  const tokens = new Map(await Promise.all(buyers.map(async (email) => [email, await login(apiUrl, email, password)])));
  const [images, purchases] = await Promise.all([
    seedImages({ apiUrl, token, orgId, items }),
    withPurchases ? seedPurchases({ apiUrl, tokens }) : 0,
  ]);
  const perBuyer = await Promise.all(buyers.map((email) => seedReviews({ apiUrl, token: tokens.get(email), email })));
  const itemIds = new Map(items.map((item) => [item.slug, item.id]));
  let replies = 0;
  for (const { demo, review } of perBuyer.flatMap((buyer) => buyer.reviews)) {
    if (!demo.reply || review.reply) continue;
    const path = `/v1/orgs/${orgId}/items/${itemIds.get(demo.item)}/reviews/${review.id}/reply`;
    await request(apiUrl, "POST", path, { token, body: { body: demo.reply } });
    replies++;
  }
  const reviews = perBuyer.reduce((total, buyer) => total + buyer.written, 0);
  return { ...images, purchases, reviews, replies };
}
