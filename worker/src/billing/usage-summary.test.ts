import { beforeAll, expect, it } from "vitest";
import { createUser, type OrgFixture, orgFixture, type TestUser } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";
import { buy, emulatorAdmin, eventually, onboardSeller, paidItem, stripeEventsSettled } from "../../test/payments";

let fx: OrgFixture;
let item: Awaited<ReturnType<typeof paidItem>>;
let buyer: TestUser;
beforeAll(async () => {
  fx = await orgFixture();
  await onboardSeller(fx.owner, fx.orgId);
  item = await paidItem(fx.orgId, { model: "metered", amount: 2, currency: "usd", unit: "call" });
  buyer = await createUser("metered-summary");
  await buy(item.slug, { buyer });
  await eventually(
    async () =>
      (await call("GET", "/v1/me/subscriptions", { token: buyer.accessToken })).body.data[0]?.status === "active" ? true : undefined,
    "the subscription",
  );
  await stripeEventsSettled();
});

const holder = (email: string, token = fx.member.accessToken, itemId = item.id) =>
  call("GET", `/v1/orgs/${fx.orgId}/items/${itemId}/credits?email=${encodeURIComponent(email)}`, { token });

it("an author finds a subscriber by e-mail (any case) with their balance; nobody else, account or not", async () => {
  const found = await holder(buyer.email.toUpperCase());
  expect(found.status).toBe(200);
  expect(found.body).toEqual({ itemId: item.id, userId: buyer.id, email: buyer.email, balance: 0 });

  const granted = await call("POST", `/v1/orgs/${fx.orgId}/items/${item.id}/credits`, {
    token: fx.admin.accessToken,
    body: { userId: found.body.userId, amount: 40, reason: "launch week", reference: "launch" },
  });
  expect(granted.status).toBe(201);
  expect((await holder(buyer.email)).body.balance).toBe(40);

  // An account that never subscribed and an address with no account get the same answer.
  const stranger = await holder(fx.outsider.email);
  const nobody = await holder("nobody-here@example.test");
  expect([stranger.status, errorCode(stranger)]).toEqual([404, "not_found"]);
  expect(nobody.body.error.message).toBe(stranger.body.error.message);
  // The buyer is not found through another of the org's items.
  const otherItem = await paidItem(fx.orgId, { model: "metered", amount: 2, currency: "usd", unit: "call" });
  expect((await holder(buyer.email, fx.member.accessToken, otherItem.id)).status).toBe(404);
  const bad = await holder("not an address");
  expect([bad.status, errorCode(bad)]).toEqual([400, "invalid_request"]);
});

it("the buyer sees this period's usage, what credits paid, and the credits left; a renewal starts the count again", async () => {
  const usage = async () => (await call("GET", "/v1/me/usage", { token: buyer.accessToken })).body.data;
  const record = (quantity: number, key: string) =>
    call("POST", `/v1/items/${item.slug}/usage`, { token: buyer.accessToken, body: { quantity, key } });
  const balance = (await holder(buyer.email)).body.balance as number;
  expect((await record(balance + 10, "big-batch")).status).toBe(201);
  expect((await record(5, "small-batch")).status).toBe(201);

  const [summary] = await usage();
  expect(summary).toMatchObject({
    itemId: item.id,
    itemSlug: item.slug,
    unit: "call",
    quantity: balance + 15,
    creditsUsed: balance,
    creditBalance: 0,
  });
  expect(summary.periodStart).toBeLessThanOrEqual(Date.now());
  expect(summary.periodEnd).toBeGreaterThan(Date.now());
  // Someone without metered subscriptions has nothing to show.
  expect((await call("GET", "/v1/me/usage", { token: fx.member.accessToken })).body.data).toEqual([]);

  await emulatorAdmin("POST", "/clock/advance", { seconds: 31 * 86_400 });
  const renewed = await eventually(async () => {
    const [next] = await usage();
    return next && next.periodStart > summary.periodStart ? next : undefined;
  }, "the renewed period");
  expect(renewed).toMatchObject({ quantity: 0, creditsUsed: 0 });
});
