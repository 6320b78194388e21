import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createUser, lastMailTo, type OrgFixture, orgFixture, type TestUser } from "../../test/fixtures";
import { call } from "../../test/http";
import {
  customerOf,
  emulatorAdmin,
  eventually,
  failRenewal,
  onboardSeller,
  ordersOf,
  stripeEventsSettled,
  subscribeNewBuyer,
  subscriptionOf,
} from "../../test/payments";

const DAY = 86_400;
let fx: OrgFixture;
beforeAll(async () => {
  fx = await orgFixture();
  await onboardSeller(fx.owner, fx.orgId);
});

const entitlementOf = (buyer: TestUser, itemId: string) =>
  env.DB.prepare("SELECT status, expires_at FROM entitlements WHERE user_id = ? AND item_id = ? AND source = 'subscription'")
    .bind(buyer.id, itemId)
    .first<{ status: string; expires_at: number | null }>();
const subscribe = (label: string) => subscribeNewBuyer(fx.orgId, label);

describe("subscriptions", () => {
  it("the first invoice is an order; the entitlement lasts until the period ends; each renewal is another order", async () => {
    const { item, buyer, sub } = await subscribe("subscriber");
    expect(sub).toMatchObject({ itemSlug: item.slug, status: "active", cancelAtPeriodEnd: false, graceUntil: null });
    const first = await entitlementOf(buyer, item.id);
    expect(first?.status).toBe("active");
    // Valid through the paid period (plus a day for the renewal webhook), not forever.
    expect(first!.expires_at).toBeGreaterThanOrEqual(sub.currentPeriodEnd);
    const [order] = (await call("GET", "/v1/me/orders", { token: buyer.accessToken })).body.data;
    // Subscriptions carry the percentage only: 10% of 1200.
    expect(order).toMatchObject({ kind: "subscription", amount: 1200, feeAmount: 120, status: "paid" });

    await emulatorAdmin("POST", "/clock/advance", { seconds: 31 * DAY });
    await eventually(async () => ((await ordersOf(buyer)) === 2 ? true : undefined), "the renewal order");
    await stripeEventsSettled();
    const renewed = await subscriptionOf(buyer);
    expect(renewed.currentPeriodEnd).toBeGreaterThan(sub.currentPeriodEnd);
    expect((await entitlementOf(buyer, item.id))!.expires_at).toBeGreaterThanOrEqual(renewed.currentPeriodEnd);
    const earnings = await call("GET", `/v1/orgs/${fx.orgId}/earnings`, { token: fx.owner.accessToken });
    expect(earnings.body.balances).toContainEqual(
      expect.objectContaining({ currency: "usd", sales: 2400, platformFees: 240, balance: 2160 }),
    );
  });

  it("a failed renewal makes it past due with a grace period and an e-mail; paying later makes it active again", async () => {
    const { item, buyer, sub } = await subscribe("late-payer");
    const pastDue = await failRenewal(buyer);
    // Seven days (SUBSCRIPTION_GRACE_DAYS) from the failed renewal at the end of the first period.
    expect(pastDue.graceUntil).toBeGreaterThanOrEqual(sub.currentPeriodEnd + 7 * DAY * 1000);
    expect(pastDue.graceUntil).toBeLessThan(pastDue.currentPeriodEnd);
    const ent = await entitlementOf(buyer, item.id);
    expect(ent).toMatchObject({ status: "active", expires_at: pastDue.graceUntil });
    const mail = await lastMailTo(buyer.email);
    expect(mail.subject).toMatch(/payment.*failed/);
    expect(mail.text).toContain("7 more days");
    expect(await ordersOf(buyer)).toBe(1);

    await emulatorAdmin("POST", `/customers/${await customerOf(buyer)}/payment_behavior`, { fail: false });
    await emulatorAdmin("POST", "/clock/advance", { seconds: DAY });
    await eventually(async () => ((await subscriptionOf(buyer))?.status === "active" ? true : undefined), "active again");
    await stripeEventsSettled();
    expect(await ordersOf(buyer)).toBe(2);
    expect((await subscriptionOf(buyer)).graceUntil).toBeNull();
  });

  it("cancel at period end keeps access until then, resume undoes it, and an ended subscription revokes the entitlement", async () => {
    const { item, buyer, sub } = await subscribe("canceller");
    const canceled = await call("POST", `/v1/me/subscriptions/${sub.id}/cancel`, { token: buyer.accessToken });
    expect(canceled.body).toMatchObject({ status: "active", cancelAtPeriodEnd: true });
    const resumed = await call("POST", `/v1/me/subscriptions/${sub.id}/resume`, { token: buyer.accessToken });
    expect(resumed.body).toMatchObject({ status: "active", cancelAtPeriodEnd: false });
    // Someone else's subscription is not found.
    const other = await createUser("nosy");
    expect((await call("POST", `/v1/me/subscriptions/${sub.id}/cancel`, { token: other.accessToken })).status).toBe(404);

    await call("POST", `/v1/me/subscriptions/${sub.id}/cancel`, { token: buyer.accessToken });
    expect((await entitlementOf(buyer, item.id))?.status).toBe("active");
    await emulatorAdmin("POST", "/clock/advance", { seconds: 31 * DAY });
    await eventually(async () => ((await subscriptionOf(buyer))?.status === "canceled" ? true : undefined), "the cancellation");
    await stripeEventsSettled();
    expect((await entitlementOf(buyer, item.id))?.status).toBe("revoked");
    expect(await ordersOf(buyer)).toBe(1);
    const ended = await call("POST", `/v1/me/subscriptions/${sub.id}/resume`, { token: buyer.accessToken });
    expect(ended.status).toBe(409);
  });
});
