import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { type OrgFixture, orgFixture, type TestUser } from "../../test/fixtures";
import { call } from "../../test/http";
import { JOBS, runJobs } from "../../test/jobs";
import {
  countRows,
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
import { expireLicenses } from "./jobs";

const DAY = 86_400;
let fx: OrgFixture;
beforeAll(async () => {
  fx = await orgFixture();
  await onboardSeller(fx.owner, fx.orgId);
});

let ipCounter = 0;
const validate = (key: string, item: string) =>
  call("POST", "/v1/licenses/validate", { body: { key, item }, headers: { "cf-connecting-ip": `192.0.2.${++ipCounter}` } });

const licenseOf = (buyer: TestUser) =>
  env.DB.prepare(
    "SELECT l.*, e.expires_at AS entitlement_expires_at FROM licenses l JOIN entitlements e ON e.id = l.entitlement_id WHERE l.user_id = ?",
  )
    .bind(buyer.id)
    .first<{
      id: string;
      status: string;
      expires_at: number | null;
      entitlement_expires_at: number | null;
      subscription_id: string;
      order_id: string | null;
    }>();

/** Subscribes a new buyer and reads the one-time key from the checkout's status. */
async function subscribe(label: string) {
  const subscribed = await subscribeNewBuyer(fx.orgId, label);
  const key = await eventually(
    async () => ((await call("GET", `/v1/checkouts/${subscribed.checkoutId}`)).body.licenseKey as string | null) ?? undefined,
    "the license key",
  );
  return { ...subscribed, key };
}

describe("a subscription's license", () => {
  it("is one key per subscription (not per invoice), expiring with the entitlement and renewed with it", async () => {
    const { item, buyer, sub, key, checkoutId } = await subscribe("sub-licensee");
    expect((await call("GET", `/v1/checkouts/${checkoutId}`)).body.licenseKey).toBeNull();
    const first = (await licenseOf(buyer))!;
    expect(first).toMatchObject({ status: "active", subscription_id: sub.id, order_id: null });
    expect(first.expires_at).toBe(first.entitlement_expires_at);
    expect(first.expires_at).toBeGreaterThanOrEqual(sub.currentPeriodEnd);
    expect((await validate(key, item.slug)).body).toEqual({
      valid: true,
      code: "valid",
      license: { status: "active", expiresAt: first.expires_at, activations: 0, maxActivations: 3, item: item.slug },
    });

    await emulatorAdmin("POST", "/clock/advance", { seconds: 31 * DAY });
    await eventually(async () => ((await ordersOf(buyer)) === 2 ? true : undefined), "the renewal order");
    await stripeEventsSettled();
    const renewed = (await licenseOf(buyer))!;
    expect(await countRows("SELECT 1 FROM licenses WHERE user_id = ?", buyer.id)).toBe(1);
    expect(renewed.id).toBe(first.id);
    expect(renewed.expires_at).toBe(renewed.entitlement_expires_at);
    expect(renewed.expires_at).toBeGreaterThan(first.expires_at!);
    expect((await validate(key, item.slug)).body.code).toBe("valid");
  });

  it("past due it lasts through the grace period, then expires; paying makes it active again", async () => {
    const { item, buyer, key } = await subscribe("sub-late");
    const pastDue = await failRenewal(buyer);
    const grace = (await licenseOf(buyer))!;
    expect(grace).toMatchObject({ status: "active", expires_at: pastDue.graceUntil, entitlement_expires_at: pastDue.graceUntil });

    // The expiry jobs on a tick after the grace period (the emulator's clock is weeks ahead of
    // Plaza's; every job at that time would also purge the test users' sessions).
    await runJobs(pastDue.graceUntil + 1, env, { "expire-entitlements": JOBS["expire-entitlements"]!, "expire-licenses": expireLicenses });
    expect((await licenseOf(buyer))!.status).toBe("expired");
    expect((await validate(key, item.slug)).body).toMatchObject({
      valid: false,
      code: "expired",
      license: { status: "expired", expiresAt: pastDue.graceUntil },
    });

    await emulatorAdmin("POST", `/customers/${await customerOf(buyer)}/payment_behavior`, { fail: false });
    await emulatorAdmin("POST", "/clock/advance", { seconds: DAY });
    await eventually(async () => ((await subscriptionOf(buyer))?.status === "active" ? true : undefined), "active again");
    await stripeEventsSettled();
    const paid = (await licenseOf(buyer))!;
    expect(paid.status).toBe("active");
    expect(paid.expires_at).toBe(paid.entitlement_expires_at);
    expect(paid.expires_at).toBeGreaterThan(pastDue.graceUntil);
    expect((await validate(key, item.slug)).body.code).toBe("valid");
    expect(await countRows("SELECT 1 FROM licenses WHERE user_id = ?", buyer.id)).toBe(1);
  });

  it("is revoked when the subscription ends", async () => {
    const { item, buyer, sub, key } = await subscribe("sub-canceller");
    await call("POST", `/v1/me/subscriptions/${sub.id}/cancel`, { token: buyer.accessToken });
    expect((await validate(key, item.slug)).body.code).toBe("valid");
    await emulatorAdmin("POST", "/clock/advance", { seconds: 31 * DAY });
    await eventually(async () => ((await subscriptionOf(buyer))?.status === "canceled" ? true : undefined), "the cancellation");
    await stripeEventsSettled();
    expect((await licenseOf(buyer))!.status).toBe("revoked");
    expect((await validate(key, item.slug)).body).toMatchObject({ valid: false, code: "revoked" });
  });

  it("is revoked when the subscription's payment is refunded in full", async () => {
    const { item, buyer, key } = await subscribe("sub-refunded");
    const [order] = (await call("GET", "/v1/me/orders", { token: buyer.accessToken })).body.data;
    const refund = await call("POST", `/v1/orgs/${fx.orgId}/orders/${order.id}/refund`, {
      token: fx.owner.accessToken,
      body: { reason: "license test" },
    });
    expect(refund.status, JSON.stringify(refund.body)).toBe(202);
    await eventually(async () => ((await licenseOf(buyer))?.status === "revoked" ? true : undefined), "the license to be revoked");
    await stripeEventsSettled();
    expect((await validate(key, item.slug)).body.code).toBe("revoked");
    expect((await licenseOf(buyer))!.status).toBe("revoked");
  });
});
