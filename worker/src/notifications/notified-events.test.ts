/**
 * The notified events that come from payments and operators, through the real routes and the Stripe
 * emulator: each writes its notification with the change that causes it, once however often the
 * event arrives. (Disputes, payouts, webhook endpoints and reviews are checked in their own tests.)
 */
import { beforeAll, describe, expect, it } from "vitest";
import { insertItem } from "../../test/catalog-fixtures";
import { createUser, type OrgFixture, orgFixture } from "../../test/fixtures";
import { call } from "../../test/http";
import { notificationsOf } from "../../test/notification-fixtures";
import {
  buy,
  eventually,
  failRenewal,
  onboardSeller,
  paidItem,
  signedDelivery,
  stripeEventsSettled,
  subscribeNewBuyer,
  testStripe,
} from "../../test/payments";

let fx: OrgFixture;
beforeAll(async () => {
  fx = await orgFixture();
  await onboardSeller(fx.owner, fx.orgId);
});

/** Stripe delivers the newest event of `type` once more, under a new event id (a replay Plaza cannot tell by id). */
async function replayNewest(type: string) {
  const [event] = (await testStripe().events.list({ type, limit: 1 })).data;
  const copy = { ...event!, id: `evt_${crypto.randomUUID().replaceAll("-", "")}` };
  expect((await signedDelivery(JSON.stringify(copy))).status).toBe(200);
  await stripeEventsSettled();
}

describe("a sale and its refund", () => {
  it("notify the org's admins and owners once each (not a plain member), however often Stripe sends them", async () => {
    const item = await paidItem(fx.orgId, { model: "one_time", amount: 2500, currency: "usd" });
    const buyer = await createUser("notified-buyer");
    await buy(item.slug, { buyer });
    const order = await eventually(
      async () => (await call("GET", "/v1/me/orders", { token: buyer.accessToken })).body.data[0],
      "the order",
    );
    await stripeEventsSettled();
    const sales = async (user: { id: string }) =>
      (await notificationsOf(user.id, "sale")).filter((n) => n.title === `A sale: ${item.name}`);
    expect(await sales(fx.admin)).toMatchObject([{ body: `${item.name} sold for $25.00.`, link: "/dashboard/earnings", org_id: fx.orgId }]);
    expect(await sales(fx.owner)).toHaveLength(1);
    expect(await sales(fx.member)).toEqual([]);
    await replayNewest("checkout.session.completed");
    expect(await sales(fx.owner)).toHaveLength(1);

    const refund = await call("POST", `/v1/orgs/${fx.orgId}/orders/${order.id}/refund`, {
      token: fx.owner.accessToken,
      body: { reason: "Buyer asked", amount: 1000 },
    });
    expect(refund.status, JSON.stringify(refund.body)).toBeLessThan(300);
    const refunds = async (user: { id: string }) => (await notificationsOf(user.id, "refund")).filter((n) => n.body.includes(order.id));
    const [notice] = await eventually(async () => {
      const found = await refunds(fx.admin);
      return found.length > 0 ? found : undefined;
    }, "the refund notification");
    expect(notice).toMatchObject({ title: `A refund: ${item.name}`, body: `$10.00 of order ${order.id} was refunded to the buyer.` });
    await stripeEventsSettled();
    await replayNewest("charge.refunded");
    expect(await refunds(fx.admin)).toHaveLength(1);
    expect(await refunds(fx.member)).toEqual([]);
  });
});

describe("a failed subscription payment", () => {
  it("tells the buyer in-app how to fix it, with the link to their purchases", async () => {
    const { buyer, item } = await subscribeNewBuyer(fx.orgId, "failing-buyer");
    await failRenewal(buyer);
    const [notice] = await notificationsOf(buyer.id, "payment_failed");
    expect(notice).toMatchObject({ title: `Your payment for ${item.name} failed`, link: "/dashboard/purchases", org_id: null });
    expect(notice!.body).toContain("Update payment method");
    await replayNewest("invoice.payment_failed");
    expect(await notificationsOf(buyer.id, "payment_failed")).toHaveLength(1);
  });
});

describe("an item unlisted by an operator", () => {
  it("tells the org's admins why, in the moderation's batch", async () => {
    const item = await insertItem(fx.orgId);
    const res = await call("POST", `/v1/operator/items/${item.id}/moderation`, {
      token: fx.operator.accessToken,
      body: { action: "unlist", reason: "Bundles malware" },
    });
    expect(res.status).toBe(200);
    for (const user of [fx.owner, fx.admin])
      expect(await notificationsOf(user.id, "item_unlisted")).toMatchObject([
        { title: `An operator unlisted ${item.name}`, body: "Reason: Bundles malware", link: `/dashboard/items/${item.id}` },
      ]);
    expect(await notificationsOf(fx.member.id, "item_unlisted")).toEqual([]);
    // Restoring tells nobody.
    await call("POST", `/v1/operator/items/${item.id}/moderation`, {
      token: fx.operator.accessToken,
      body: { action: "restore", reason: "Clean" },
    });
    expect(await notificationsOf(fx.owner.id, "item_unlisted")).toHaveLength(1);
  });
});
