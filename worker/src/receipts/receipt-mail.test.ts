/** The receipt e-mail links the policies the purchase is under, and Support, absolutely on APP_URL. */
import { env } from "cloudflare:workers";
import { beforeAll, expect, it } from "vitest";
import { LEGAL_PAGES } from "../../../shared/legal";
import { type OrgFixture, orgFixture, sentReceiptTo, uniqueEmail } from "../../test/fixtures";
import { call } from "../../test/http";
import { buy, onboardSeller, paidItem, stripeEventsSettled } from "../../test/payments";
import { receiptPolicyLinks } from "./receipt-mail";

let fx: OrgFixture;
beforeAll(async () => {
  fx = await orgFixture();
  await onboardSeller(fx.owner, fx.orgId);
});

it("a receipt links the Refund policy, Terms, License Agreement and Support in text and HTML, after the key", async () => {
  const item = await paidItem(fx.orgId, { model: "one_time", amount: 1500, currency: "usd" });
  const email = uniqueEmail("receipt-policies");
  await buy(item.slug, { email });
  await stripeEventsSettled();
  const receipt = await sentReceiptTo(email);

  const base = env.APP_URL.replace(/\/+$/, "");
  for (const page of ["refunds", "terms", "license", "support"] as const) {
    const { title, path } = LEGAL_PAGES[page];
    expect(receipt.text).toContain(`${title}: ${base}${path}\n`);
    expect(receipt.html).toContain(`<a href="${base}${path}">${title}</a>`);
    // Each link is a page the Worker answers.
    expect((await call("GET", path)).status, path).toBe(200);
  }
  // Below the key and the portal link, above the signature.
  expect(receipt.text.indexOf("License key:")).toBeLessThan(receipt.text.indexOf("Refund Policy:"));
  expect(receipt.text).toMatch(/Support: \S+\n\n— Plaza$/);
  expect(receipt.html.indexOf("License key")).toBeLessThan(receipt.html.indexOf(LEGAL_PAGES.refunds.path));
  expect(receipt.html).toMatch(/<\/p>\n<\/body><\/html>$/);
});

it("policy links are absolute on APP_URL whether or not it ends in a slash", () => {
  expect(receiptPolicyLinks("https://shop.example/").map((l) => l.url)).toEqual([
    "https://shop.example/legal/refunds",
    "https://shop.example/legal/terms",
    "https://shop.example/legal/license",
    "https://shop.example/support",
  ]);
  expect(receiptPolicyLinks("https://shop.example")[0]).toEqual({ label: "Refund Policy", url: "https://shop.example/legal/refunds" });
});
