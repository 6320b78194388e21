// `--purchase`: a fresh guest buys a paid item through Checkout, as the storefront's Buy button
// does, and the smoke follows the money to what the buyer gets: order, license key, receipt
// e-mail, download. Only the local Stripe emulator's hosted page can be paid by a script; real
// Stripe's (test mode included) needs a person and a card form, so there the purchase is skipped
// and a free item is claimed and downloaded instead. Live mode is refused before anything is paid.
import { createHash, randomBytes } from "node:crypto";
import { ensure, Failed, Skip } from "./checks.mjs";
import { pollUntil, short } from "./http.mjs";

/** A Checkout Session id says its mode: `cs_live_…` moves real money. */
const LIVE_SESSION = /cs_live_/;

/**
 * Runs the purchase checks on `runner`.
 * @param {ReturnType<typeof import("./checks.mjs").checkRunner>} runner
 * @param {ReturnType<typeof import("./http.mjs").smokeHttp>} http
 * @param {{ timeoutMs: number, itemSlug?: string, buyerEmail?: string, country: string, session: () => Promise<string | undefined> }} options
 *   `session` answers the smoke user's access token (for the free-item fallback), undefined without one.
 */
export async function purchaseChecks(runner, http, { timeoutMs, itemSlug, buyerEmail, country, session }) {
  const email = buyerEmail ?? `smoke-${Date.now()}-${randomBytes(3).toString("hex")}@example.com`;

  const checkout = await runner.run("purchase: checkout", async () => {
    const item = itemSlug ? await itemBySlug(http, itemSlug) : await firstOneTimeItem(http);
    const res = await http.expectStatus(201, "POST", `/v1/items/${item.slug}/checkout`, {
      json: { email },
      headers: { "idempotency-key": `smoke-${email}` },
    });
    const s = res.json;
    if (LIVE_SESSION.test(s.url) || LIVE_SESSION.test(s.checkoutId))
      throw new Failed(`the deployment is in live mode (${s.url.slice(0, 60)}…): --purchase runs in test mode only; nothing was paid`);
    const emulator = await isStripeEmulator(http, s.url);
    return {
      detail: `${item.slug} for ${s.amount} ${s.currency} as guest ${email}${emulator ? " (Stripe emulator)" : ""}`,
      value: { ...s, item, emulator },
    };
  });
  if (!checkout) {
    for (const name of ["purchase: pay", "purchase: order", "purchase: license key", "purchase: receipt", "purchase: download"])
      runner.fail(name, "needs the checkout (failed above)");
    return;
  }

  if (!checkout.emulator) {
    const reason = "a real Stripe hosted page (test mode included) cannot be paid by a script; pay one by hand with a test card";
    for (const name of ["purchase: pay", "purchase: order", "purchase: license key", "purchase: receipt", "purchase: download"])
      runner.skip(name, name === "purchase: pay" ? reason : "needs the payment (skipped)");
    await freeItemChecks(runner, http, { session });
    return;
  }

  const paid = await runner.run("purchase: pay", async () => {
    // The emulator's hosted page is a plain form; it asks for a billing country when tax is on (ignored otherwise).
    const res = await http.request("POST", `${checkout.url}/pay`, { form: `country=${encodeURIComponent(country)}`, redirect: "manual" });
    ensure(res.status === 303, `the hosted page answered ${res.status}: ${short(res.text)}`);
    const location = res.headers.get("location") ?? "";
    ensure(location.includes(checkout.checkoutId), `redirected to ${location}, not the checkout's success page`);
    return `paid on the hosted page, back to ${new URL(location).pathname}`;
  });

  const order = paid
    ? await runner.run("purchase: order", async () => {
        // The webhook (a queue hop) makes the order; the first answer after it carries the key, once.
        const status = await pollUntil(
          "order for the checkout",
          async () => {
            const res = await http.expectStatus(200, "GET", `/v1/checkouts/${checkout.checkoutId}`);
            if (res.json.status === "expired" || res.json.status === "failed") throw new Failed(`the checkout is ${res.json.status}`);
            return res.json.orderId && res.json.licenseKey ? res.json : undefined;
          },
          { timeoutMs },
        );
        return { detail: `${status.orderId}, ${status.status}, ${status.amount} ${status.currency}`, value: status };
      })
    : undefined;

  const licenseOk = order
    ? await runner.run("purchase: license key", async () => {
        const res = await http.expectStatus(200, "POST", "/v1/licenses/validate", {
          json: { key: order.licenseKey, item: checkout.item.slug },
        });
        ensure(res.json.valid === true, `the License API answers ${res.json.code} for the purchase's key`);
        return { detail: `${mask(order.licenseKey)} is valid for ${checkout.item.slug}`, value: true };
      })
    : undefined;

  const link = order
    ? await runner.run("purchase: receipt", async () => {
        // Against npm start (or any deployment with the dev mailbox) the receipt e-mail can be read back.
        const mail = await pollUntil(
          `receipt e-mail to ${email} in /dev/mailbox.json`,
          async () => {
            const res = await http.request("GET", "/dev/mailbox.json");
            if (res.status === 404) throw new Skip("no /dev/mailbox.json here: the receipt e-mail went out for real");
            return res.json?.data?.find((/** @type {{ to: string, text: string }} */ m) => m.to === email && /License key:/.test(m.text));
          },
          { timeoutMs },
        );
        ensure(mail.text.includes(order.licenseKey), "the receipt's license key differs from the one the checkout revealed");
        const download = /Download .+ (\S+): (\S+\/download\/\S+)/.exec(mail.text);
        ensure(download, "the receipt has no download link");
        return { detail: `with the license key and a download link for ${download[1]}`, value: { version: download[1], url: download[2] } };
      })
    : undefined;

  if (link) {
    await runner.run("purchase: download", () => downloadAndVerify(http, { slug: checkout.item.slug, ...link }));
  } else {
    const missing = runner.results.find((r) => r.name === "purchase: receipt")?.status === "skip";
    (missing ? runner.skip : runner.fail)(
      "purchase: download",
      missing ? "needs the receipt's link (skipped)" : "needs the receipt's link",
    );
  }
  return licenseOk;
}

/** The free-item fallback: the smoke user claims a free item (idempotent) and downloads it through a signed link. */
async function freeItemChecks(runner, http, { session }) {
  const claimed = await runner.run("free item: claim", async () => {
    const token = await session();
    if (!token) throw new Failed("needs the smoke user's login (give --email/--password)");
    const search = await http.expectStatus(200, "GET", "/v1/search?price=free&limit=10");
    const item = search.json.data.find((/** @type {any} */ i) => i.latestVersion);
    ensure(item, "no free item with a version to claim");
    const res = await http.request("POST", `/v1/items/${item.slug}/get`, { token });
    ensure(res.status === 200 || res.status === 201, `claiming ${item.slug} answered ${res.status}: ${short(res.text)}`);
    return { detail: `${item.slug} is in the smoke user's library`, value: { token, item } };
  });
  if (!claimed) return runner.fail("free item: download", "needs the claim (failed above)");
  await runner.run("free item: download", async () => {
    const res = await http.expectStatus(201, "POST", "/v1/me/downloads", { token: claimed.token, json: { item: claimed.item.slug } });
    return downloadAndVerify(http, { slug: claimed.item.slug, version: res.json.version, url: res.json.url });
  });
}

/** GETs the signed link and checks its bytes against the version's size and SHA-256 (and the strong ETag). */
async function downloadAndVerify(http, { slug, version, url }) {
  const versions = await http.expectStatus(200, "GET", `/v1/items/${slug}/versions`);
  const expected = versions.json.data.find((/** @type {{ version: string }} */ v) => v.version === version);
  ensure(expected, `${slug}@${version} is not among the item's versions`);
  const res = await http.download(url);
  ensure(res.status === 200, `the signed link answered ${res.status}`);
  const sha256 = createHash("sha256").update(res.bytes).digest("hex");
  ensure(res.bytes.length === expected.size, `${res.bytes.length} bytes, the version has ${expected.size}`);
  ensure(sha256 === expected.sha256, `SHA-256 ${sha256.slice(0, 12)}…, the version's is ${expected.sha256.slice(0, 12)}…`);
  const etag = res.headers.get("etag");
  ensure(!etag || etag.includes(sha256), `ETag ${etag} is not the bundle's SHA-256`);
  return `${slug}@${version}: ${res.bytes.length} bytes, SHA-256 ${sha256.slice(0, 12)}… matches`;
}

async function itemBySlug(http, slug) {
  const res = await http.expectStatus(200, "GET", `/v1/items/${encodeURIComponent(slug)}`);
  ensure(res.json.pricing?.model === "one_time", `${slug} is ${res.json.pricing?.model}, not a one-time purchase`);
  return res.json;
}

/** The first paid item sold once (not a subscription): what the purchase buys unless --item names one. */
async function firstOneTimeItem(http) {
  const res = await http.expectStatus(200, "GET", "/v1/search?price=paid&limit=50");
  const item = res.json.data.find((/** @type {any} */ i) => i.pricing.model === "one_time" && i.latestVersion);
  ensure(item, "no one-time paid item with a version in search; name one with --item");
  return item;
}

/** Whether the Checkout URL is the local Stripe emulator's (it answers `{ emulator: "stripe" }` at /). */
async function isStripeEmulator(http, checkoutUrl) {
  try {
    const res = await http.request("GET", `${new URL(checkoutUrl).origin}/`);
    return res.json?.emulator === "stripe";
  } catch {
    return false;
  }
}

/** A license key with only its last group shown: smoke output ends up in CI logs. */
const mask = (/** @type {string} */ key) => key.replace(/[A-Za-z0-9](?=[A-Za-z0-9]*-)/g, "•");
