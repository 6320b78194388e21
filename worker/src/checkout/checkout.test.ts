import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { insertItem, ratingAggregate } from "../../test/catalog-fixtures";
import { createUser, type OrgFixture, orgFixture } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";
import { buy, countRows, eventually, onboardSeller, paidItem, stripeEventsSettled } from "../../test/payments";
import { sha256Hex } from "../crypto/hash";
import { derivedId } from "../crypto/random";
import worker from "../index";

let fx: OrgFixture;
beforeAll(async () => {
  fx = await orgFixture();
});

describe("checkout before the author can take charges", () => {
  it("is refused with 409 charges_disabled, and free or draft items are not sold", async () => {
    const item = await paidItem(fx.orgId, { model: "one_time", amount: 1500, currency: "usd" });
    const buyer = await createUser("early-buyer");
    const res = await call("POST", `/v1/items/${item.slug}/checkout`, { token: buyer.accessToken, body: {} });
    expect(res.status).toBe(409);
    expect(errorCode(res)).toBe("charges_disabled");

    for (const overrides of [
      { status: "draft" as const, pricing: { model: "one_time" as const, amount: 1500, currency: "usd" } },
      { pricing: { model: "free" as const } },
    ]) {
      const unsellable = await insertItem(fx.orgId, overrides);
      const refused = await call("POST", `/v1/items/${unsellable.slug}/checkout`, { token: buyer.accessToken, body: {} });
      expect([refused.status, errorCode(refused)]).toEqual([409, "conflict"]);
    }
    expect((await call("POST", "/v1/items/no-such-item/checkout", { token: buyer.accessToken, body: {} })).status).toBe(404);
  });
});

describe("buying a one-time item", () => {
  beforeAll(async () => {
    await onboardSeller(fx.owner, fx.orgId);
  });

  it("a production deployment without STRIPE_SECRET_KEY answers 503 payments_unavailable, not a 500, and opens nothing", async () => {
    const item = await paidItem(fx.orgId, { model: "one_time", amount: 1800, currency: "usd" });
    const buyer = await createUser("misconfigured-buyer");
    const before = await countRows("SELECT 1 FROM checkouts");
    const production = { ...env, ENVIRONMENT: "production" as const, STRIPE_SECRET_KEY: undefined };
    const res = await worker.fetch(
      new Request(`https://plaza.test/v1/items/${item.slug}/checkout`, {
        method: "POST",
        headers: { authorization: `Bearer ${buyer.accessToken}`, "content-type": "application/json", "cf-connecting-ip": "203.0.113.7" },
        body: "{}",
      }),
      production,
      createExecutionContext(),
    );
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("payments_unavailable");
    expect(await countRows("SELECT 1 FROM checkouts")).toBe(before);
  });

  it("pays through Checkout, then one order, one entitlement and the ledger's sale entries exist", async () => {
    const item = await paidItem(fx.orgId, { model: "one_time", amount: 2000, currency: "usd" });
    const buyer = await createUser("buyer");
    const { checkoutId, success } = await buy(item.slug, { buyer });
    expect(success).toContain(`/checkout/success?checkout=${checkoutId}`);

    const order = await eventually(
      async () => (await call("GET", "/v1/me/orders", { token: buyer.accessToken })).body.data[0],
      "the order",
    );
    // Fee: 10% + 30 (wrangler.toml defaults).
    expect(order).toMatchObject({
      status: "paid",
      amount: 2000,
      feeAmount: 230,
      currency: "usd",
      orgId: fx.orgId,
      items: [{ itemSlug: item.slug, amount: 2000 }],
    });
    const status = await call("GET", `/v1/checkouts/${checkoutId}`);
    expect(status.body).toMatchObject({ status: "complete", orderId: order.id, itemSlug: item.slug });

    const entitlements = await call("GET", "/v1/me/entitlements", { token: buyer.accessToken });
    expect(entitlements.body.data).toEqual([expect.objectContaining({ itemId: item.id, source: "purchase", status: "active" })]);

    const earnings = await call("GET", `/v1/orgs/${fx.orgId}/earnings`, { token: fx.member.accessToken });
    expect(earnings.body.balances).toContainEqual(expect.objectContaining({ currency: "usd", sales: 2000, platformFees: 230 }));

    // Buying again is refused: the buyer already owns it.
    const again = await call("POST", `/v1/items/${item.slug}/checkout`, { token: buyer.accessToken, body: {} });
    expect(again.status).toBe(409);
  });

  it("a checkout retried with the same Idempotency-Key is the same session; after a price change the key is 409 idempotency_conflict", async () => {
    const item = await paidItem(fx.orgId, { model: "one_time", amount: 1600, currency: "usd" });
    const buyer = await createUser("retrying-buyer");
    const checkout = (key: string) =>
      call("POST", `/v1/items/${item.slug}/checkout`, { token: buyer.accessToken, body: {}, headers: { "idempotency-key": key } });
    const key = `checkout-${crypto.randomUUID()}`;
    const first = await checkout(key);
    const retried = await checkout(key);
    expect([first.status, retried.status], JSON.stringify(retried.body)).toEqual([201, 201]);
    expect(retried.body).toEqual(first.body);
    expect(await countRows("SELECT 1 FROM checkouts WHERE item_id = ?", item.id)).toBe(1);

    // Another price is another request: Stripe refuses the key (StripeIdempotencyError), a new key works.
    const repriced = await call("PATCH", `/v1/orgs/${fx.orgId}/items/${item.id}`, {
      token: fx.admin.accessToken,
      body: { pricing: { model: "one_time", amount: 1700, currency: "usd" } },
    });
    expect(repriced.status, JSON.stringify(repriced.body)).toBe(200);
    const stale = await checkout(key);
    expect([stale.status, errorCode(stale)]).toEqual([409, "idempotency_conflict"]);
    const fresh = await checkout(`checkout-${crypto.randomUUID()}`);
    expect([fresh.status, fresh.body.amount]).toEqual([201, 1700]);
  });

  it("a key reused after Stripe forgot it (24 hours) is 422 idempotency_key_reused, not a session its checkout does not track", async () => {
    const item = await paidItem(fx.orgId, { model: "one_time", amount: 1600, currency: "usd" });
    const buyer = await createUser("late-retry-buyer");
    const key = `checkout-${crypto.randomUUID()}`;
    // The checkout an earlier request with this key made, whose key Stripe no longer holds.
    const checkoutId = await derivedId("checkout", await sha256Hex(`${buyer.email}|${item.id}|${key}`));
    await env.DB.prepare(
      "INSERT INTO checkouts (id, session_id, org_id, item_id, user_id, email, mode, price_id, amount, currency, fee_amount, status, created_at) VALUES (?, ?, ?, ?, ?, ?, 'payment', 'price_old', 1600, 'usd', 190, 'open', ?)",
    )
      .bind(
        checkoutId,
        `cs_test_${crypto.randomUUID().replaceAll("-", "")}`,
        fx.orgId,
        item.id,
        buyer.id,
        buyer.email,
        Date.now() - 2 * 86_400_000,
      )
      .run();
    const late = await call("POST", `/v1/items/${item.slug}/checkout`, {
      token: buyer.accessToken,
      body: {},
      headers: { "idempotency-key": key },
    });
    expect([late.status, errorCode(late)]).toEqual([422, "idempotency_key_reused"]);
  });

  it("a guest buys with an e-mail; the purchase lands on a password-less account for that address", async () => {
    const item = await paidItem(fx.orgId, { model: "one_time", amount: 900, currency: "eur" });
    const email = `guest-${crypto.randomUUID()}@example.test`;
    const noEmail = await call("POST", `/v1/items/${item.slug}/checkout`, { body: {} });
    expect(noEmail.status).toBe(400);
    expect(noEmail.body.error.fields).toHaveProperty(["body.email"]);

    const { checkoutId } = await buy(item.slug, { email });
    const status = await eventually(async () => {
      const res = await call("GET", `/v1/checkouts/${checkoutId}`);
      return res.body.orderId ? res.body : undefined;
    }, "the guest order");
    expect(status.status).toBe("complete");
    const user = await env.DB.prepare("SELECT id, password_hash FROM users WHERE email = ?")
      .bind(email)
      .first<{ id: string; password_hash: string }>();
    expect(user?.password_hash).toBe("!");
    expect(await countRows("SELECT 1 FROM entitlements WHERE user_id = ? AND item_id = ? AND status = 'active'", user!.id, item.id)).toBe(
      1,
    );
    // The same e-mail reuses its Stripe customer.
    await buy((await paidItem(fx.orgId, { model: "one_time", amount: 500, currency: "eur" })).slug, { email });
    expect(await countRows("SELECT 1 FROM stripe_customers WHERE email = ?", email)).toBe(1);
  });

  it("a full refund by the author revokes the entitlement and books the refund in the ledger", async () => {
    const item = await paidItem(fx.orgId, { model: "one_time", amount: 3000, currency: "usd" });
    const buyer = await createUser("refunded");
    await buy(item.slug, { buyer });
    const order = await eventually(
      async () => (await call("GET", "/v1/me/orders", { token: buyer.accessToken })).body.data[0],
      "the order",
    );
    expect((await call("POST", `/v1/items/${item.slug}/reviews`, { token: buyer.accessToken, body: { rating: 1 } })).status).toBe(201);
    expect(await ratingAggregate(item.id)).toEqual([1, 1]);

    const tooMuch = await call("POST", `/v1/orgs/${fx.orgId}/orders/${order.id}/refund`, {
      token: fx.admin.accessToken,
      body: { amount: 3001, reason: "x" },
    });
    expect(tooMuch.status).toBe(400);
    const byMember = await call("POST", `/v1/orgs/${fx.orgId}/orders/${order.id}/refund`, {
      token: fx.member.accessToken,
      body: { reason: "x" },
    });
    expect(byMember.status).toBe(403);

    const refund = await call("POST", `/v1/orgs/${fx.orgId}/orders/${order.id}/refund`, {
      token: fx.admin.accessToken,
      body: { reason: "Asked within 14 days" },
    });
    expect(refund.status, JSON.stringify(refund.body)).toBe(202);
    expect(refund.body).toMatchObject({
      id: expect.stringMatching(/^rfd_/),
      orderId: order.id,
      refundId: expect.stringMatching(/^re_/),
      amount: 3000,
      currency: "usd",
    });
    const refunded = await eventually(async () => {
      const res = await call("GET", `/v1/orgs/${fx.orgId}/orders/${order.id}`, { token: fx.member.accessToken });
      return res.body.status === "refunded" ? res.body : undefined;
    }, "the refund to land");
    expect(refunded.amountRefunded).toBe(3000);
    await stripeEventsSettled();
    // Booked with the order's total in one batch: no longer pending.
    expect(await env.DB.prepare("SELECT status, stripe_refund_id FROM refunds WHERE id = ?").bind(refund.body.id).first()).toEqual({
      status: "succeeded",
      stripe_refund_id: refund.body.refundId,
    });
    const ent = await env.DB.prepare("SELECT status FROM entitlements WHERE user_id = ? AND item_id = ?")
      .bind(buyer.id, item.id)
      .first<{ status: string }>();
    expect(ent?.status).toBe("revoked");
    // A refunded buyer's rating leaves the aggregate.
    expect(await ratingAggregate(item.id)).toEqual([0, 0]);
    const ledger = await env.DB.prepare("SELECT type, account, amount FROM ledger_entries WHERE order_id = ? ORDER BY type, account")
      .bind(order.id)
      .all();
    expect(ledger.results).toEqual([
      { type: "fee_refund", account: fx.orgId, amount: 330 },
      { type: "fee_refund", account: "platform", amount: -330 },
      { type: "platform_fee", account: fx.orgId, amount: -330 },
      { type: "platform_fee", account: "platform", amount: 330 },
      { type: "refund", account: fx.orgId, amount: -3000 },
      { type: "sale", account: fx.orgId, amount: 3000 },
    ]);
    // Nothing is left to refund.
    const twice = await call("POST", `/v1/orgs/${fx.orgId}/orders/${order.id}/refund`, {
      token: fx.admin.accessToken,
      body: { reason: "again" },
    });
    expect(twice.status).toBe(409);
  });
});
