/**
 * The whole of fulfillment, as a guest buyer lives it: pay on the emulator's Checkout, Stripe's
 * signed webhook makes the order and the license, the receipt e-mail arrives with the key and a
 * download link, the link downloads exactly the uploaded bundle, the key validates, and the
 * buyer finds it all again in the portal by magic link. After a refund the same link and key are
 * refused.
 */
import { exports } from "cloudflare:workers";
import { beforeAll, expect, it } from "vitest";
import { LICENSE_KEY } from "../../../shared/licenses";
import { createItemViaApi, publishVersion, sha256Hex } from "../../test/catalog-api";
import { type OrgFixture, orgFixture, sentReceiptTo, tokenFromMail, uniqueEmail } from "../../test/fixtures";
import { call } from "../../test/http";
import { buy, eventually, onboardSeller, stripeEventsSettled } from "../../test/payments";

const worker = (exports as unknown as { default: Fetcher }).default;
let fx: OrgFixture;
beforeAll(async () => {
  fx = await orgFixture();
  await onboardSeller(fx.owner, fx.orgId);
});

/** The link as the buyer's mail client would open it: no login, only the URL. */
const follow = (url: string) => worker.fetch(`http://plaza.test${new URL(url).pathname}`);

it("checkout → webhook → order → license → receipt → download of the same bytes → valid key → refund → link and key refused", async () => {
  const item = await createItemViaApi(fx.owner, fx.orgId, {
    slug: `receipt-${Date.now().toString(36)}`,
    name: "Receipt Pro",
    pricing: { model: "one_time", amount: 1900, currency: "usd" },
  });
  const bundle = crypto.getRandomValues(new Uint8Array(64 * 1024));
  expect((await publishVersion(fx.owner, item.slug, "1.2.0", { bytes: bundle })).status).toBe(201);
  expect(
    (await call("PATCH", `/v1/orgs/${fx.orgId}/items/${item.id}`, { token: fx.owner.accessToken, body: { status: "published" } })).status,
  ).toBe(200);

  const email = uniqueEmail("receipt-guest");
  await buy(item.slug, { email });
  await stripeEventsSettled();

  const receipt = await sentReceiptTo(email);
  expect(receipt.subject).toBe("Your receipt for Receipt Pro");
  expect(receipt.text).toContain("$19.00 paid for Receipt Pro");
  const key = /License key: (\S+)/.exec(receipt.text)?.[1];
  expect(key).toMatch(LICENSE_KEY);
  expect(receipt.html).toContain(key);
  const link = /Download Receipt Pro 1\.2\.0: (\S+)/.exec(receipt.text)?.[1];
  expect(link).toMatch(/\/download\/[^/]+$/);
  expect(receipt.html).toContain(link);

  const download = await follow(link!);
  expect(download.status).toBe(200);
  expect(download.headers.get("content-disposition")).toContain(`${item.slug}-1.2.0.tar.gz`);
  expect(await sha256Hex(new Uint8Array(await download.arrayBuffer()))).toBe(await sha256Hex(bundle));
  const validate = () => call("POST", "/v1/licenses/validate", { body: { key, item: item.slug } });
  expect((await validate()).body).toMatchObject({ valid: true, code: "valid" });

  // The portal: the guest signs in by e-mail and finds the order, the masked key and the version.
  await call("POST", "/v1/auth/magic-link", { body: { email } });
  const session = await call("POST", "/v1/auth/magic-link/redeem", { body: { token: await tokenFromMail(email) } });
  expect(session.status).toBe(200);
  const token = session.body.accessToken as string;
  const [order] = (await call("GET", "/v1/me/orders", { token })).body.data;
  expect(order).toMatchObject({ amount: 1900, currency: "usd", status: "paid" });
  expect(receipt.text).toContain(`Order ${order.id}`);
  const [license] = (await call("GET", "/v1/me/licenses", { token })).body.data;
  expect(license.key).toBe(`${key!.slice(0, 4)}-••••-••••-${key!.slice(-4)}`);
  expect(JSON.stringify(license)).not.toContain(key);
  const library = (await call("GET", "/v1/me/library", { token })).body.data;
  expect(library).toEqual([
    expect.objectContaining({
      item: expect.objectContaining({ slug: item.slug }),
      source: "purchase",
      versions: [expect.objectContaining({ version: "1.2.0", size: bundle.length, yanked: false })],
    }),
  ]);
  const fresh = await call("POST", "/v1/me/downloads", { token, body: { item: item.slug, version: "1.2.0" } });
  expect(fresh.status).toBe(201);

  const refund = await call("POST", `/v1/orgs/${fx.orgId}/orders/${order.id}/refund`, {
    token: fx.owner.accessToken,
    body: { reason: "end-to-end test" },
  });
  expect(refund.status).toBe(202);
  await eventually(async () => ((await validate()).body.code === "revoked" ? true : undefined), "the license to be revoked");
  for (const url of [link!, fresh.body.url as string]) {
    const refused = await follow(url);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("forbidden");
  }
  expect((await call("POST", "/v1/me/downloads", { token, body: { item: item.slug } })).status).toBe(403);
  expect((await call("GET", "/v1/me/library", { token })).body.data).toEqual([]);
});
