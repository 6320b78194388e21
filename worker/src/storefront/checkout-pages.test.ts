/**
 * Buying from the storefront without JavaScript: the item page's Buy link and guest form, the
 * guest form's route (a 303 to the Stripe emulator's hosted page, or the item page again with a
 * readable reason), and the success and cancel pages Stripe sends the buyer back to.
 */
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createUser, type OrgFixture, orgFixture } from "../../test/fixtures";
import { call } from "../../test/http";
import { STRIPE_EMULATOR_ORIGIN } from "../../test/network";
import { insertCheckout } from "../../test/payment-fixtures";
import { eventually, onboardSeller, paidItem, submitHostedForm } from "../../test/payments";

const worker = (exports as unknown as { default: Fetcher }).default;

let fx: OrgFixture;
beforeAll(async () => {
  fx = await orgFixture();
});

/** Submits the item page's guest form as a browser would (urlencoded, redirects not followed). */
async function postGuestForm(slug: string, fields: Record<string, string>) {
  const res = await worker.fetch(`http://plaza.test/items/${slug}/checkout`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

const page = (path: string) => call<string>("GET", path);
const pathOf = (url: string) => {
  const u = new URL(url);
  return u.pathname + u.search;
};

describe("the item page of a paid item", () => {
  it("links Buy into the web app and offers a guest form; its CSP lets the form go on to the checkout page", async () => {
    const item = await paidItem(fx.orgId, { model: "one_time", amount: 2500, currency: "usd" });
    const res = await page(`/items/${item.slug}`);
    expect(res.status).toBe(200);
    expect(res.body).toContain(`href="/buy/${item.slug}"`);
    expect(res.body).toMatch(
      new RegExp(`<form class="guest" method="post" action="/items/${item.slug}/checkout" aria-label="Buy as a guest">`),
    );
    expect(res.body).toMatch(/<input id="guest-email" type="email" name="email" required=""/);
    expect(res.body).toContain("$25.00");
    // Browsers check form-action on the redirect after the post too: the emulator's origin is allowed.
    expect(res.headers.get("content-security-policy")).toContain(`form-action 'self' ${STRIPE_EMULATOR_ORIGIN};`);

    const sub = await paidItem(fx.orgId, { model: "subscription", amount: 700, currency: "usd", interval: "month" });
    const subPage = await page(`/items/${sub.slug}`);
    expect(subPage.body).toContain("$7.00 / month");
    expect(subPage.body).toMatch(/>\s*Subscribe to\s*(<!-- -->)?\s*/);
  });
});

describe("the guest form", () => {
  it("shows the item page again, not a JSON error, while the author cannot take payments", async () => {
    const item = await paidItem(fx.orgId, { model: "one_time", amount: 1500, currency: "usd" });
    const res = await postGuestForm(item.slug, { email: "early@example.test" });
    expect(res.status).toBe(409);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.body).toMatch(/<p class="problem" role="alert">[^<]*cannot take payments yet/);
    expect(res.body).toContain('value="early@example.test"');
  });

  it("asks for a valid e-mail (400) and answers an unknown item with the 404 page", async () => {
    const item = await paidItem(fx.orgId, { model: "one_time", amount: 1500, currency: "usd" });
    for (const fields of [{}, { email: "" }, { email: "not-an-address" }] as Record<string, string>[]) {
      const res = await postGuestForm(item.slug, fields);
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect(res.body).toContain("Enter the e-mail address your purchase should go to.");
    }
    const unknown = await postGuestForm("no-such-item", { email: "a@example.test" });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain("<h1>Not found</h1>");
    const huge = await postGuestForm(item.slug, { email: "a@example.test", padding: "x".repeat(20_000) });
    expect(huge.status).toBe(413);
  });
});

describe("buying as a guest, once the author is onboarded", () => {
  beforeAll(async () => {
    await onboardSeller(fx.owner, fx.orgId);
  });

  it("redirects to the hosted checkout; after Pay the success page thanks the buyer, who now owns the item", async () => {
    const item = await paidItem(fx.orgId, { model: "one_time", amount: 1900, currency: "usd" });
    // A buyer with an account who is not signed in: the purchase lands on their account.
    const buyer = await createUser("sf-guest-buyer");
    const res = await postGuestForm(item.slug, { email: buyer.email.toUpperCase() });
    expect(res.status, res.body.slice(0, 500)).toBe(303);
    const hosted = res.headers.get("location")!;
    expect(hosted).toMatch(new RegExp(`^${STRIPE_EMULATOR_ORIGIN}/checkout/cs_test_`));

    const success = await submitHostedForm(hosted, "pay");
    // Stripe returns the buyer to APP_URL's success page.
    expect(success).toMatch(new RegExp(`^${env.APP_URL}/checkout/success\\?checkout=chk_`));
    const done = await eventually(async () => {
      const res = await page(pathOf(success));
      return res.body.includes("<h1>Thank you!</h1>") ? res : undefined;
    }, "the success page to show the finished order");
    expect(done.status).toBe(200);
    expect(done.headers.get("cache-control")).toBe("no-store");
    expect(done.body).toContain(`Your purchase of <strong>${item.name}</strong> is complete.`);
    expect(done.body).toContain("$19.00");
    expect(done.body).toMatch(/<code>ord_[A-Za-z0-9]+<\/code>/);
    expect(done.body).toContain('href="/dashboard/purchases"');
    expect(done.body).not.toContain('http-equiv="refresh"');
    // The license key, in full, on this one view only; it validates for the item.
    const key = /<code class="license-key">([A-Z0-9-]+)<\/code>/.exec(done.body)?.[1];
    expect(key).toMatch(/^[A-Z0-9]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    const validated = await call("POST", "/v1/licenses/validate", { body: { key, item: item.slug } });
    expect(validated.body).toMatchObject({ valid: true, code: "valid" });
    const again = await page(pathOf(success));
    expect(again.body).not.toContain(key!);
    expect(again.body).toContain("shown the first time");

    const entitlements = await call("GET", "/v1/me/entitlements", { token: buyer.accessToken });
    expect(entitlements.body.data).toContainEqual(expect.objectContaining({ itemId: item.id, source: "purchase", status: "active" }));
  });

  it("a subscription: the success page shows the recurring price", async () => {
    const item = await paidItem(fx.orgId, { model: "subscription", amount: 500, currency: "usd", interval: "month" });
    const res = await postGuestForm(item.slug, { email: `sf-sub-${crypto.randomUUID()}@example.test` });
    expect(res.status, res.body.slice(0, 500)).toBe(303);
    const success = await submitHostedForm(res.headers.get("location")!, "pay");
    const done = await eventually(async () => {
      const res = await page(pathOf(success));
      return res.body.includes("<h1>Thank you!</h1>") ? res : undefined;
    }, "the subscription's success page to show the order");
    expect(done.body).toContain("$5.00 / month");
  });

  it("Decline on the hosted page leads to the cancel page, which links back to the item", async () => {
    const item = await paidItem(fx.orgId, { model: "one_time", amount: 1200, currency: "usd" });
    const res = await postGuestForm(item.slug, { email: "decliner@example.test" });
    const cancel = await submitHostedForm(res.headers.get("location")!, "decline");
    expect(pathOf(cancel)).toBe(`/checkout/cancel?item=${item.slug}`);
    const canceled = await page(pathOf(cancel));
    expect(canceled.status).toBe(200);
    expect(canceled.body).toContain("<h1>Checkout canceled</h1>");
    expect(canceled.body).toContain("you were not charged");
    expect(canceled.body).toContain(`href="/items/${item.slug}#buy"`);
  });
});

describe("the success page", () => {
  it("says it is finishing up and refreshes itself while the order is not there, then stops after a minute", async () => {
    const checkoutId = await insertCheckout(fx.orgId);
    const pending = await page(`/checkout/success?checkout=${checkoutId}`);
    expect(pending.status).toBe(200);
    expect(pending.body).toContain("<h1>Payment received</h1>");
    expect(pending.body).toContain("Finishing up your purchase of");
    expect(pending.body).toContain(`<meta http-equiv="refresh" content="2; url=/checkout/success?checkout=${checkoutId}&amp;poll=1"/>`);
    expect(pending.headers.get("cache-control")).toBe("no-store");

    const next = await page(`/checkout/success?checkout=${checkoutId}&poll=7`);
    expect(next.body).toContain(`poll=8"`);
    const last = await page(`/checkout/success?checkout=${checkoutId}&poll=30`);
    expect(last.body).toContain("<h1>Still finishing up</h1>");
    expect(last.body).not.toContain('http-equiv="refresh"');
    expect(last.body).toContain(`href="/checkout/success?checkout=${checkoutId}"`);
  });

  it("answers a malformed or unknown checkout, and other /checkout paths, with HTML 404s", async () => {
    for (const path of [
      "/checkout/success",
      "/checkout/success?checkout=nope",
      "/checkout/success?checkout=chk_AAAAAAAAAAAAAAAAAAAA",
      "/checkout/elsewhere",
    ]) {
      const res = await page(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type"), path).toMatch(/^text\/html/);
    }
  });

  it("the cancel page works without a known item", async () => {
    for (const path of ["/checkout/cancel", "/checkout/cancel?item=no-such-item", "/checkout/cancel?item=BAD%20SLUG"]) {
      const res = await page(path);
      expect(res.status, path).toBe(200);
      expect(res.body).toContain("<h1>Checkout canceled</h1>");
      expect(res.body).not.toContain("Back to");
    }
  });
});
