/**
 * The legal and support pages: filled from the operator's settings (wrangler.toml [vars]), cached
 * and secured like every storefront page, linked from every page's footer and from the buy box
 * (the storefront's step before Stripe's checkout); unset or invalid settings are a clear 500.
 */
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { LEGAL_PAGE_ORDER, LEGAL_PAGES } from "../../../shared/legal";
import { type OrgFixture, orgFixture } from "../../test/fixtures";
import { call } from "../../test/http";
import { paidItem } from "../../test/payments";
import worker from "../index";
import { legalConfig } from "./legal-config";

const page = (path: string, headers?: Record<string, string>) => call<string>("GET", path, { headers });

/** The Worker with other settings than wrangler.toml's (the test env has those). */
async function pageWith(path: string, vars: Record<string, string | undefined>) {
  const res = await worker.fetch(new Request(`http://plaza.test${path}`), { ...env, ...vars }, createExecutionContext());
  return { status: res.status, headers: res.headers, body: await res.text() };
}

/** Text without tags and with collapsed white space, as a reader sees it. */
const visibleText = (html: string) =>
  html
    .replace(/<style>[\s\S]*?<\/style>/g, "")
    .replace(/<[^>]+>/g, "")
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");

const footerHrefs = (html: string) => {
  const footer = /<footer class="site">([\s\S]*?)<\/footer>/.exec(html)?.[1] ?? "";
  return [...footer.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
};

const ALL_PATHS = LEGAL_PAGE_ORDER.map((p) => LEGAL_PAGES[p].path);

describe("the legal and support pages", () => {
  it.each(LEGAL_PAGE_ORDER.map((p) => [p, LEGAL_PAGES[p].path, LEGAL_PAGES[p].title]))(
    "%s (%s) is a storefront page filled with the operator's settings",
    async (_, path, title) => {
      const res = await page(path);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      const text = visibleText(res.body);
      expect(res.body).toContain(`<h1 id="legal-title">${title}</h1>`);
      expect(res.body).toContain(`<title>${title} · Plaza</title>`);
      expect(text).toContain(`Last updated ${env.LEGAL_LAST_UPDATED} · ${env.LEGAL_ENTITY_NAME}, ${env.LEGAL_COUNTRY}`);
      // Nothing left unfilled: no "undefined", no empty mailto.
      expect(text).not.toMatch(/undefined|NaN|\[object/);
      expect(res.body).not.toContain('href="mailto:"');
    },
  );

  it("name the seller of record, the support address, the refund window and the governing law", async () => {
    const [terms, privacy, refunds, license, support] = await Promise.all(ALL_PATHS.map((p) => page(p)));
    expect(visibleText(terms!.body)).toContain(`operated by ${env.LEGAL_ENTITY_NAME} (${env.LEGAL_COUNTRY})`);
    expect(visibleText(terms!.body)).toContain("We are the seller of record");
    expect(visibleText(terms!.body)).toContain(`The law of ${env.LEGAL_COUNTRY} governs these terms`);
    expect(privacy!.body).toContain(`<a href="mailto:${env.SUPPORT_EMAIL}">${env.SUPPORT_EMAIL}</a>`);
    expect(visibleText(refunds!.body)).toContain(`Within ${env.REFUND_WINDOW_DAYS} days of a purchase you can ask for a full refund`);
    expect(visibleText(license!.body)).toContain("The licensor is the item's author");
    expect(support!.body).toContain(`<a href="mailto:${env.SUPPORT_EMAIL}">${env.SUPPORT_EMAIL}</a>`);
    expect(support!.body).toContain(`href="${LEGAL_PAGES.refunds.path}"`);
  });

  it("follow another refund window and entity from the settings, and say so when there is none", async () => {
    // Query variants: the edge cache keys by path and query, and the plain paths are cached by now.
    const other = await pageWith(`${LEGAL_PAGES.refunds.path}?window=30`, {
      REFUND_WINDOW_DAYS: "30",
      LEGAL_ENTITY_NAME: "Bazaar & Co. AG",
    });
    expect(other.status).toBe(200);
    expect(visibleText(other.body)).toContain("Within 30 days of a purchase");
    expect(other.body).toContain("Bazaar &amp; Co. AG");
    const none = await pageWith(`${LEGAL_PAGES.refunds.path}?window=0`, { REFUND_WINDOW_DAYS: "0" });
    expect(visibleText(none.body)).toContain("Purchases are final once delivered, unless the item does not work as described");
    expect(visibleText(none.body)).not.toContain("Within 0 days");
  });

  it("are cached like other storefront pages: ETag, 304, s-maxage, and the same CSP from the cache", async () => {
    const first = await page(LEGAL_PAGES.license.path);
    expect(first.headers.get("cache-control")).toBe("public, max-age=60, s-maxage=60");
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const again = await page(LEGAL_PAGES.license.path, { "if-none-match": etag! });
    expect(again.status).toBe(304);
    expect(again.headers.get("x-cache")).toBe("HIT");
    expect(again.headers.get("content-security-policy")).toBe(first.headers.get("content-security-policy"));
  });

  it("run no script and allow exactly their own stylesheet; are never framed", async () => {
    const res = await page(LEGAL_PAGES.privacy.path);
    const css = /<style>([\s\S]*?)<\/style>/.exec(res.body)?.[1] ?? "";
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`style-src 'sha256-${createHash("sha256").update(css).digest("base64")}'`);
    expect(csp).not.toContain("script-src");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.body).not.toContain("<script");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
  });

  it("an unknown page under /legal/ is the storefront's HTML 404", async () => {
    const res = await page("/legal/cookies");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
  });
});

describe("settings that are missing or invalid", () => {
  it("are named, one problem per variable", () => {
    const result = legalConfig({ ...env, LEGAL_ENTITY_NAME: " ", SUPPORT_EMAIL: "nobody", REFUND_WINDOW_DAYS: "14.5" });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems.map((p) => p.split(":")[0]).sort()).toEqual(["LEGAL_ENTITY_NAME", "REFUND_WINDOW_DAYS", "SUPPORT_EMAIL"]);
    const unset = legalConfig({ ...env, LEGAL_LAST_UPDATED: undefined, LEGAL_COUNTRY: undefined });
    expect(unset.ok ? [] : unset.problems.map((p) => p.split(":")[0]).sort()).toEqual(["LEGAL_COUNTRY", "LEGAL_LAST_UPDATED"]);
    expect(legalConfig(env)).toMatchObject({ ok: true, config: { REFUND_WINDOW_DAYS: Number(env.REFUND_WINDOW_DAYS) } });
  });

  it("make the pages a 500 that is not cached, never a page with blanks", async () => {
    const res = await pageWith(`${LEGAL_PAGES.terms.path}?unset=1`, { LEGAL_ENTITY_NAME: undefined });
    expect(res.status).toBe(500);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.body).toContain("Something went wrong");
    expect(res.body).not.toContain("seller of record");
    // The rest of the storefront does not depend on them.
    expect((await pageWith("/?unset=1", { LEGAL_ENTITY_NAME: undefined })).status).toBe(200);
  });
});

describe("links to the legal pages", () => {
  let fx: OrgFixture;
  beforeAll(async () => {
    fx = await orgFixture();
  });

  it("every storefront page's footer links all five, and each link answers", async () => {
    const item = await paidItem(fx.orgId, { model: "one_time", amount: 1200, currency: "usd" });
    for (const path of ["/", "/search?q=x", `/items/${item.slug}`, "/items/no-such-item", "/checkout/cancel", LEGAL_PAGES.terms.path]) {
      expect(footerHrefs((await page(path)).body), path).toEqual(ALL_PATHS);
    }
    for (const path of ALL_PATHS) expect((await page(path)).status, path).toBe(200);
  });

  it("the buy box, before Stripe's checkout, says buying agrees to the Terms and License Agreement and links the Refund policy", async () => {
    const item = await paidItem(fx.orgId, { model: "one_time", amount: 900, currency: "usd" });
    const res = await page(`/items/${item.slug}`);
    const buyBox = /<aside class="buy" id="buy"[\s\S]*?<\/aside>/.exec(res.body)?.[0] ?? "";
    const note = /<p class="muted small terms-note"[\s\S]*?<\/p>/.exec(buyBox)?.[0] ?? "";
    expect(visibleText(note)).toContain("By buying you agree to the Terms and the License Agreement");
    expect(note).toContain(`<a href="${LEGAL_PAGES.terms.path}">Terms</a>`);
    expect(note).toContain(`<a href="${LEGAL_PAGES.license.path}">License Agreement</a>`);
    expect(note).toContain(`<a href="${LEGAL_PAGES.refunds.path}">Refund policy</a>`);
    // The note comes after the guest form's button, so it covers both ways to buy.
    expect(buyBox.indexOf("Continue to payment")).toBeLessThan(buyBox.indexOf("terms-note"));
  });
});
