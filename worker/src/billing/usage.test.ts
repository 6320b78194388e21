import { env } from "cloudflare:workers";
import { beforeAll, expect, it } from "vitest";
import { createUser, type OrgFixture, orgFixture } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";
import { buy, countRows, emulatorAdmin, eventually, onboardSeller, paidItem, stripeEventsSettled, testStripe } from "../../test/payments";

let fx: OrgFixture;
beforeAll(async () => {
  fx = await orgFixture();
  await onboardSeller(fx.owner, fx.orgId);
});

it("metered usage: idempotent by key, paid from prepaid credits first, reported to the meter, billed at renewal", async () => {
  const item = await paidItem(fx.orgId, { model: "metered", amount: 2, currency: "usd", unit: "call" });
  const buyer = await createUser("metered");
  const usage = (quantity: number, key: string) =>
    call("POST", `/v1/items/${item.slug}/usage`, { token: buyer.accessToken, body: { quantity, key } });

  const early = await usage(1, "before-subscribing");
  expect([early.status, errorCode(early)]).toEqual([409, "conflict"]);
  await buy(item.slug, { buyer });
  await eventually(
    async () =>
      (await call("GET", "/v1/me/subscriptions", { token: buyer.accessToken })).body.data[0]?.status === "active" ? true : undefined,
    "the subscription",
  );
  await stripeEventsSettled();
  // A metered plan's first invoice is for nothing used yet: no order.
  expect(await countRows("SELECT 1 FROM orders WHERE user_id = ?", buyer.id)).toBe(0);

  const first = await usage(5, "req-1");
  expect(first.status).toBe(201);
  expect(first.body).toMatchObject({ quantity: 5, creditsUsed: 0, duplicate: false });
  const replay = await usage(5, "req-1");
  expect(replay.status).toBe(200);
  expect(replay.body).toMatchObject({ id: first.body.id, duplicate: true });
  expect((await usage(0, "zero")).status).toBe(400);

  const grant = { userId: buyer.id, amount: 3, reason: "welcome credits", reference: "welcome" };
  const granted = await call("POST", `/v1/orgs/${fx.orgId}/items/${item.id}/credits`, { token: fx.admin.accessToken, body: grant });
  expect(granted.body).toMatchObject({ balance: 3 });
  // The same reference grants once.
  await call("POST", `/v1/orgs/${fx.orgId}/items/${item.id}/credits`, { token: fx.admin.accessToken, body: grant });
  const second = await usage(5, "req-2");
  expect(second.body).toMatchObject({ quantity: 5, creditsUsed: 3 });
  expect((await call("GET", `/v1/items/${item.slug}/credits`, { token: buyer.accessToken })).body.balance).toBe(0);

  await eventually(
    async () =>
      (await countRows("SELECT 1 FROM usage_records WHERE user_id = ? AND reported_at IS NULL", buyer.id)) === 0 ? true : undefined,
    "usage reported",
  );
  const customer = (await env.DB.prepare("SELECT customer_id FROM stripe_customers WHERE email = ?")
    .bind(buyer.email)
    .first<{ customer_id: string }>())!.customer_id;
  const { meter_event_name } = (await env.DB.prepare("SELECT meter_event_name FROM stripe_prices WHERE item_id = ?")
    .bind(item.id)
    .first<{ meter_event_name: string }>())!;
  const meter = (await testStripe().billing.meters.list({ limit: 100 })).data.find((m) => m.event_name === meter_event_name)!;
  const now = Math.floor(Date.now() / 60_000) * 60;
  const summaries = await testStripe().billing.meters.listEventSummaries(meter.id, {
    customer,
    start_time: now - 86_400,
    end_time: now + 86_400 * 40,
  });
  // 5 billed + (5 − 3 credits) billed; the duplicate and the credits are not.
  expect(summaries.data.reduce((sum, s) => sum + s.aggregated_value, 0)).toBe(7);

  await emulatorAdmin("POST", "/clock/advance", { seconds: 31 * 86_400 });
  const order = await eventually(
    async () => (await call("GET", "/v1/me/orders", { token: buyer.accessToken })).body.data[0],
    "the usage invoice's order",
  );
  expect(order).toMatchObject({ kind: "subscription", amount: 14, currency: "usd" });
});
