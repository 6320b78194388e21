/** Plaza's own changes reach an author's endpoint as signed events: a sale, its license, its refund, a publication. */
import { Webhook } from "standardwebhooks";
import { beforeAll, expect, it } from "vitest";
import { createItemViaApi, publishVersion } from "../../test/catalog-api";
import { createUser, type OrgFixture, orgFixture } from "../../test/fixtures";
import { call } from "../../test/http";
import { buy, eventually, onboardSeller, paidItem, stripeEventsSettled } from "../../test/payments";
import { endpointReceiving } from "../../test/webhook-endpoint";

let fx: OrgFixture;
let secret: string;
let received: { headers: Record<string, string>; body: string }[];
beforeAll(async () => {
  fx = await orgFixture();
  await onboardSeller(fx.owner, fx.orgId);
  ({ secret, received } = await endpointReceiving(fx.orgId, fx.owner.accessToken, "domain"));
});

/** The fields of an event's data this test reads by name; the rest it compares with toMatchObject. */
interface EventData {
  id: string;
  key?: string;
  item: { id: string };
}

/** The verified payloads of `type` the endpoint got so far. */
const eventsOf = (type: string) =>
  received.map((r) => new Webhook(secret).verify(r.body, r.headers) as { type: string; data: EventData }).filter((p) => p.type === type);
const waitFor = (type: string, count = 1) =>
  eventually(async () => (eventsOf(type).length >= count ? eventsOf(type) : undefined), `${count} ${type}`);

it("a sale sends order.created and license.created once, a review review.created; a full refund sends order.refunded and license.revoked", async () => {
  const item = await paidItem(fx.orgId, { model: "one_time", amount: 1500, currency: "usd" });
  const buyer = await createUser("hooked-buyer");
  await buy(item.slug, { buyer });
  await stripeEventsSettled();
  const [order] = await waitFor("order.created");
  expect(order!.data).toMatchObject({
    kind: "purchase",
    status: "paid",
    amount: 1500,
    currency: "usd",
    email: buyer.email,
    item: { id: item.id, slug: item.slug },
  });
  const [license] = await waitFor("license.created");
  expect(license!.data).toMatchObject({ item: { id: item.id }, userId: buyer.id, status: "active" });
  expect(license!.data.key).toMatch(/^[A-Z0-9]{4}-••••-••••-[0-9A-Z]{4}$/);

  expect((await call("POST", `/v1/items/${item.slug}/reviews`, { token: buyer.accessToken, body: { rating: 4 } })).status).toBe(201);
  const [review] = await waitFor("review.created");
  expect(review!.data).toMatchObject({ item: { id: item.id }, rating: 4, body: null });

  const refund = await call("POST", `/v1/orgs/${fx.orgId}/orders/${order!.data.id}/refund`, {
    token: fx.owner.accessToken,
    body: { reason: "webhook test" },
  });
  expect(refund.status).toBe(202);
  const [refunded] = await waitFor("order.refunded");
  expect(refunded!.data).toMatchObject({ id: order!.data.id, status: "refunded", amountRefunded: 1500 });
  const [revoked] = await waitFor("license.revoked");
  expect(revoked!.data).toMatchObject({ id: license!.data.id, status: "revoked" });
  await stripeEventsSettled();
  expect(eventsOf("order.created").filter((e) => e.data.id === order!.data.id)).toHaveLength(1);
  expect(eventsOf("license.created").filter((e) => e.data.id === license!.data.id)).toHaveLength(1);
});

it("publishing an item and a version send item.published and version.published", async () => {
  const item = await createItemViaApi(fx.owner, fx.orgId, { slug: `hooked-${Date.now().toString(36)}`, name: "Hooked" });
  expect((await publishVersion(fx.owner, item.slug, "2.0.0")).status).toBe(201);
  expect(
    (await call("PATCH", `/v1/orgs/${fx.orgId}/items/${item.id}`, { token: fx.owner.accessToken, body: { status: "published" } })).status,
  ).toBe(200);
  const versions = await eventually(async () => {
    const found = eventsOf("version.published").filter((e) => e.data.item.id === item.id);
    return found.length ? found : undefined;
  }, "version.published");
  expect(versions[0]!.data).toMatchObject({ version: "2.0.0", channel: "stable", item: { slug: item.slug, name: "Hooked" } });
  await eventually(async () => (eventsOf("item.published").some((e) => e.data.item.id === item.id) ? true : undefined), "item.published");
});
