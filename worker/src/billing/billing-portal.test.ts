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
  testStripe,
} from "../../test/payments";

let fx: OrgFixture;
let buyer: TestUser;
let subscriptionId: string;
let stripeSubscriptionId: string;
let itemId: string;
beforeAll(async () => {
  fx = await orgFixture();
  await onboardSeller(fx.owner, fx.orgId);
  const subscribed = await subscribeNewBuyer(fx.orgId, "card-fixer");
  buyer = subscribed.buyer;
  subscriptionId = subscribed.sub.id;
  itemId = subscribed.item.id;
  stripeSubscriptionId = (await env.DB.prepare("SELECT stripe_subscription_id AS id FROM subscriptions WHERE id = ?")
    .bind(subscriptionId)
    .first<{ id: string }>())!.id;
});

const openPortal = async (body: Record<string, string> = {}) => {
  const res = await call("POST", "/v1/me/billing-portal", { token: buyer.accessToken, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.url as string;
};
/** Submits one of the portal page's forms as a browser would. */
const post = (url: string, fields: Record<string, string> = {}) =>
  fetch(url, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
  });
const entitlementOf = () =>
  env.DB.prepare("SELECT status, expires_at FROM entitlements WHERE user_id = ? AND item_id = ? AND source = 'subscription'")
    .bind(buyer.id, itemId)
    .first<{ status: string; expires_at: number }>();

describe("the billing portal", () => {
  it("a past-due buyer saves a working card and pays the open invoice on the portal: active again, one more order", async () => {
    const pastDue = await failRenewal(buyer);
    // The payment-failed e-mail says where to fix it.
    expect((await lastMailTo(buyer.email)).text).toContain("Update payment method opens Stripe's billing page");
    const url = await openPortal();
    expect(url).toMatch(/^http:\/\/stripe\.emulator\/billing_portal\/bps_/);
    const page = await (await fetch(url)).text();
    expect(page).toContain("Your latest payment failed");
    expect(page).toContain("Pay 12.00 USD");
    // The session is for the buyer's own customer, returning to Purchases.
    const customer = await customerOf(buyer);
    const [open] = (await testStripe().invoices.list({ customer, status: "open" })).data;
    expect(open?.parent?.subscription_details?.subscription).toBe(stripeSubscriptionId);
    expect(page).toContain(`href="${env.APP_URL}/dashboard/purchases"`);

    // A card the bank declines is not saved; one saved whose charges fail leaves the invoice open.
    const declined = await post(`${url}/payment_method`, { number: "4000 0000 0000 0002" });
    expect(declined.status).toBe(402);
    expect(await declined.text()).toContain("Your card was declined.");
    expect((await post(`${url}/payment_method`, { number: "4000000000000341" })).status).toBe(303);
    expect((await post(`${url}/invoices/${open!.id}/pay`)).status).toBe(402);
    expect((await subscriptionOf(buyer)).status).toBe("past_due");

    expect((await post(`${url}/payment_method`, { number: "4242 4242 4242 4242" })).status).toBe(303);
    expect(await (await fetch(url)).text()).toContain("VISA •••• 4242");
    const paid = await post(`${url}/invoices/${open!.id}/pay`);
    expect(paid.status).toBe(303);
    // A second click finds it paid and charges nothing more.
    expect((await post(`${url}/invoices/${open!.id}/pay`)).status).toBe(303);

    await eventually(async () => ((await subscriptionOf(buyer)).status === "active" ? true : undefined), "active again");
    await stripeEventsSettled();
    const active = await subscriptionOf(buyer);
    expect(active).toMatchObject({ status: "active", graceUntil: null });
    expect(await ordersOf(buyer)).toBe(2);
    const entitlement = await entitlementOf();
    expect(entitlement?.status).toBe("active");
    // Access runs to the end of the period the paid renewal bought again, past the grace period.
    expect(entitlement!.expires_at).toBeGreaterThanOrEqual(active.currentPeriodEnd);
    expect(entitlement!.expires_at).toBeGreaterThan(pastDue.graceUntil);
  });

  it("cancelling on the portal cancels at period end in Plaza; another customer's session cannot touch it", async () => {
    const url = await openPortal({ subscriptionId });
    expect((await post(`${url}/subscriptions/${stripeSubscriptionId}/cancel`)).status).toBe(303);
    await eventually(async () => ((await subscriptionOf(buyer)).cancelAtPeriodEnd ? true : undefined), "cancel at period end");
    expect((await subscriptionOf(buyer)).status).toBe("active");

    const stranger = await testStripe().customers.create({ email: "stranger@example.test" });
    const theirs = await testStripe().billingPortal.sessions.create({ customer: stranger.id, return_url: "https://plaza.test/" });
    expect((await post(`${theirs.url}/subscriptions/${stripeSubscriptionId}/renew`)).status).toBe(404);
    expect((await subscriptionOf(buyer)).cancelAtPeriodEnd).toBe(true);
  });

  it("answers 409 without subscriptions and 404 for someone else's; the link expires unopened after five minutes", async () => {
    const nobody = await createUser("no-subscriptions");
    const none = await call("POST", "/v1/me/billing-portal", { token: nobody.accessToken, body: {} });
    expect(none.status).toBe(409);
    expect(none.body.error.code).toBe("conflict");
    const others = await call("POST", "/v1/me/billing-portal", { token: nobody.accessToken, body: { subscriptionId } });
    expect(others.status).toBe(404);

    const url = await openPortal();
    await emulatorAdmin("POST", "/clock/advance", { seconds: 301 });
    const expired = await fetch(url);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain("This link has expired");
  });
});
