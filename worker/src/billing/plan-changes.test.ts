import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createUser, type OrgFixture, orgFixture, type TestUser } from "../../test/fixtures";
import { call } from "../../test/http";
import {
  buy,
  emulatorAdmin,
  eventually,
  onboardSeller,
  ordersOf,
  paidItem,
  stripeEventsSettled,
  subscriptionOf,
  testStripe,
} from "../../test/payments";
import { RENEWAL_LEEWAY_MS } from "./subscriptions";

const DAY = 86_400;
const worker = (exports as unknown as { default: Fetcher }).default;
let fx: OrgFixture;
let item: Awaited<ReturnType<typeof paidItem>>;
let buyer: TestUser;
beforeAll(async () => {
  fx = await orgFixture();
  await onboardSeller(fx.owner, fx.orgId);
  // $12 a month, or $120 a year.
  item = await paidItem(fx.orgId, { model: "subscription", amount: 1200, currency: "usd", interval: "month", otherIntervalAmount: 12000 });
  buyer = await createUser("switcher");
});

/** The subscription's entitlement and license expiry (the license mirrors the entitlement). */
const accessOf = async () => {
  const entitlement = await env.DB.prepare(
    "SELECT status, expires_at FROM entitlements WHERE user_id = ? AND item_id = ? AND source = 'subscription'",
  )
    .bind(buyer.id, item.id)
    .first<{ status: string; expires_at: number }>();
  const license = await env.DB.prepare("SELECT expires_at FROM licenses WHERE user_id = ? AND item_id = ?")
    .bind(buyer.id, item.id)
    .first<{ expires_at: number }>();
  return { ...entitlement!, licenseExpiresAt: license!.expires_at };
};
const ordersAmounts = async () =>
  (
    await env.DB.prepare("SELECT amount, fee_amount FROM orders WHERE user_id = ? ORDER BY created_at")
      .bind(buyer.id)
      .all<{ amount: number; fee_amount: number }>()
  ).results;
const switchPlan = (id: string, interval: string, who = buyer) =>
  call("POST", `/v1/me/subscriptions/${id}/plan`, { token: who.accessToken, body: { interval } });
const previewPlan = (id: string, interval: string) =>
  call("POST", `/v1/me/subscriptions/${id}/plan/preview`, { token: buyer.accessToken, body: { interval } });

describe("plan changes", () => {
  it("monthly → yearly: the prorated invoice is booked once, and the entitlement and license follow the yearly period", async () => {
    await buy(item.slug, { buyer });
    const sub = await eventually(async () => ((await ordersOf(buyer)) === 1 ? subscriptionOf(buyer) : undefined), "the first order");
    await stripeEventsSettled();
    expect(sub).toMatchObject({ plan: { interval: "month", amount: 1200 }, switchTo: { interval: "year", amount: 12000 } });

    // A third into the month: Stripe credits the unused two thirds of $12 against the year.
    await emulatorAdmin("POST", "/clock/advance", { seconds: 10 * DAY });
    const preview = await previewPlan(sub.id, "year");
    expect(preview.body).toMatchObject({ plan: { interval: "year", amount: 12000 }, creditLeft: 0, currency: "usd" });
    const res = await switchPlan(sub.id, "year");
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: "active", plan: { interval: "year", amount: 12000 }, switchTo: { interval: "month" } });
    expect(res.body.currentPeriodEnd).toBeGreaterThan(sub.currentPeriodEnd + 300 * DAY * 1000);
    await eventually(async () => ((await ordersOf(buyer)) === 2 ? true : undefined), "the proration invoice's order");
    await stripeEventsSettled();

    const stripeSub = await testStripe().subscriptions.retrieve(
      (await env.DB.prepare("SELECT stripe_subscription_id AS id FROM subscriptions WHERE id = ?").bind(sub.id).first<{ id: string }>())!
        .id,
    );
    const invoice = await testStripe().invoices.retrieve(stripeSub.latest_invoice as string);
    expect(invoice.billing_reason).toBe("subscription_update");
    expect(invoice.amount_paid).toBeGreaterThan(12000 - 1200);
    expect(invoice.amount_paid).toBeLessThan(12000);
    // The preview said so (Stripe prorates by the second: the seconds between may move it a cent).
    expect(Math.abs(preview.body.dueNow - invoice.amount_paid)).toBeLessThanOrEqual(1);
    // The order is what was charged (the year less the credit), with the 10% fee of that.
    expect((await ordersAmounts())[1]).toEqual({ amount: invoice.amount_paid, fee_amount: Math.round(invoice.amount_paid / 10) });
    const access = await accessOf();
    expect(access).toMatchObject({ status: "active", expires_at: res.body.currentPeriodEnd + RENEWAL_LEEWAY_MS });
    expect(access.licenseExpiresAt).toBe(access.expires_at);
  });

  it("yearly → monthly: the credit books nothing and access shortens to the month; the same plan, someone else's or an unknown interval are refused", async () => {
    const sub = await subscriptionOf(buyer);
    const preview = (await previewPlan(sub.id, "month")).body;
    // Nothing to pay: most of a year is unused, and what the month does not take stays as credit.
    expect(preview).toMatchObject({ plan: { interval: "month", amount: 1200 }, dueNow: 0 });
    expect(preview.creditLeft).toBeGreaterThan(12000 - 1200 - 100);
    const res = await switchPlan(sub.id, "month");
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ plan: { interval: "month", amount: 1200 }, switchTo: { interval: "year" } });
    expect(res.body.currentPeriodEnd).toBeLessThan(sub.currentPeriodEnd - 300 * DAY * 1000);
    await stripeEventsSettled();
    // The unused year outweighs the month: the invoice is a credit on the buyer's Stripe balance, no sale.
    expect(await ordersOf(buyer)).toBe(2);
    const access = await accessOf();
    expect(access).toMatchObject({ status: "active", expires_at: res.body.currentPeriodEnd + RENEWAL_LEEWAY_MS });
    expect(access.licenseExpiresAt).toBe(access.expires_at);

    expect((await switchPlan(sub.id, "month")).body.error.code).toBe("conflict");
    expect((await previewPlan(sub.id, "month")).body.error.code).toBe("conflict");
    expect((await switchPlan(sub.id, "week")).status).toBe(400);
    expect((await switchPlan(sub.id, "year", await createUser("nosy"))).status).toBe(404);
    const monthlyOnly = await paidItem(fx.orgId, { model: "subscription", amount: 500, currency: "usd", interval: "month" });
    const yearlyCheckout = await call("POST", `/v1/items/${monthlyOnly.slug}/checkout`, {
      token: (await createUser("yearly-buyer")).accessToken,
      body: { interval: "year" },
    });
    expect(yearlyCheckout.status).toBe(400);
    // The item offering both opens a yearly checkout at the yearly amount, from the API and from the
    // storefront's guest form (no JavaScript), which offers both plans.
    const yearly = await call("POST", `/v1/items/${item.slug}/checkout`, { body: { email: "yearly@example.test", interval: "year" } });
    expect(yearly.body).toMatchObject({ amount: 12000, mode: "subscription" });
    const itemPage = await (await worker.fetch(`http://plaza.test/items/${item.slug}`)).text();
    expect(itemPage).toMatch(/<input type="radio" name="interval" value="year"\/?> Yearly: \$120\.00 \/ year/);
    const guest = await worker.fetch(`http://plaza.test/items/${item.slug}/checkout`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email: "guest-yearly@example.test", interval: "year" }).toString(),
    });
    expect(guest.status).toBe(303);
    const guestCheckout = await env.DB.prepare("SELECT amount FROM checkouts WHERE email = ?")
      .bind("guest-yearly@example.test")
      .first<{ amount: number }>();
    expect(guestCheckout?.amount).toBe(12000);
  });
});
