/**
 * Refunds through the real routes while Stripe's confirmation is held back: Plaza's platform
 * endpoint is unplugged from the emulator, and the test delivers Stripe's events itself when Stripe
 * should have confirmed. Until then every refund Plaza asked for is pending.
 */
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createUser, type OrgFixture, orgFixture } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";
import { insertOrder } from "../../test/payment-fixtures";
import {
  buy,
  emulatorAdmin,
  eventually,
  onboardSeller,
  paidItem,
  signedDelivery,
  stripeEventsSettled,
  testStripe,
  unplugStripeWebhooks,
} from "../../test/payments";
import { newId } from "../crypto/random";
import worker from "../index";

let fx: OrgFixture;
const delivered = new Set<string>();

beforeAll(async () => {
  fx = await orgFixture();
  await onboardSeller(fx.owner, fx.orgId);
  await unplugStripeWebhooks("platform");
});

/** Stripe confirms: every platform event not delivered yet reaches Plaza (oldest first) and is processed. */
async function stripeConfirms() {
  const events = [];
  for await (const event of testStripe().events.list({ limit: 100 })) if (!delivered.has(event.id)) events.push(event);
  for (const event of events.reverse()) {
    const res = await signedDelivery(JSON.stringify(event, null, 2));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    delivered.add(event.id);
  }
  await stripeEventsSettled();
}

/** A paid order of `amount` (its sale confirmed by Stripe), with its payment intent. */
async function paidOrder(amount = 3000) {
  const item = await paidItem(fx.orgId, { model: "one_time", amount, currency: "usd" });
  const buyer = await createUser("refund-buyer");
  await buy(item.slug, { buyer });
  await stripeConfirms();
  const order = await eventually(async () => (await call("GET", "/v1/me/orders", { token: buyer.accessToken })).body.data[0], "the order");
  const row = await env.DB.prepare("SELECT payment_intent_id FROM orders WHERE id = ?")
    .bind(order.id)
    .first<{ payment_intent_id: string }>();
  return { id: order.id as string, paymentIntentId: row!.payment_intent_id };
}

const refund = (orderId: string, body: { amount?: number; reason: string }, idempotencyKey?: string) =>
  call("POST", `/v1/orgs/${fx.orgId}/orders/${orderId}/refund`, {
    token: fx.admin.accessToken,
    body,
    headers: idempotencyKey ? { "idempotency-key": idempotencyKey } : {},
  });

const refundsInStripe = async (paymentIntentId: string) =>
  (await testStripe().refunds.list({ payment_intent: paymentIntentId, limit: 100 })).data;
const orderNow = async (orderId: string) =>
  (await call("GET", `/v1/orgs/${fx.orgId}/orders/${orderId}`, { token: fx.admin.accessToken })).body;

describe("refunds waiting for Stripe's confirmation", () => {
  it("a second refund while the first is pending is 409 refund_in_progress, and Stripe is not asked", async () => {
    const order = await paidOrder();
    const first = await refund(order.id, { reason: "first" });
    expect(first.status, JSON.stringify(first.body)).toBe(202);

    for (const body of [{ reason: "again" }, { amount: 1, reason: "a little more" }]) {
      const second = await refund(order.id, body);
      expect([second.status, errorCode(second)]).toEqual([409, "refund_in_progress"]);
    }
    expect(await refundsInStripe(order.paymentIntentId)).toHaveLength(1);

    await stripeConfirms();
    expect(await orderNow(order.id)).toMatchObject({ status: "refunded", amountRefunded: 3000 });
    const afterwards = await refund(order.id, { reason: "once more" });
    expect([afterwards.status, errorCode(afterwards)]).toEqual([409, "conflict"]);
  });

  it("two different partial refunds without a key are two refunds with their own ids; one more than is left is 409", async () => {
    const order = await paidOrder();
    const a = await refund(order.id, { amount: 1000, reason: "partial" });
    const b = await refund(order.id, { amount: 1000, reason: "partial" });
    expect([a.status, b.status], JSON.stringify([a.body, b.body])).toEqual([202, 202]);
    expect(b.body.refundId).not.toBe(a.body.refundId);
    expect(b.body.id).not.toBe(a.body.id);
    expect((await refundsInStripe(order.paymentIntentId)).map((r) => r.amount)).toEqual([1000, 1000]);

    const over = await refund(order.id, { amount: 1001, reason: "too much" });
    expect([over.status, errorCode(over)]).toEqual([409, "refund_in_progress"]);
    const rest = await refund(order.id, { reason: "the rest" });
    expect([rest.status, rest.body.amount]).toEqual([202, 1000]);

    await stripeConfirms();
    expect(await orderNow(order.id)).toMatchObject({ status: "refunded", amountRefunded: 3000 });
  });

  it("the same Idempotency-Key with the same body is the same refund; with another body 422", async () => {
    const order = await paidOrder();
    const key = `refund-${crypto.randomUUID()}`;
    const first = await refund(order.id, { amount: 500, reason: "same" }, key);
    const again = await refund(order.id, { amount: 500, reason: "same" }, key);
    expect([first.status, again.status]).toEqual([202, 202]);
    expect(again.body).toEqual(first.body);

    for (const body of [{ amount: 600, reason: "same" }, { amount: 500, reason: "other" }, { reason: "same" }]) {
      const other = await refund(order.id, body, key);
      expect([other.status, errorCode(other)]).toEqual([422, "idempotency_key_reused"]);
    }
    expect(await refundsInStripe(order.paymentIntentId)).toHaveLength(1);

    await stripeConfirms();
    const confirmed = await refund(order.id, { amount: 500, reason: "same" }, key);
    expect(confirmed.body).toMatchObject({ id: first.body.id, refundId: first.body.refundId, status: "succeeded" });
    expect(await orderNow(order.id)).toMatchObject({ status: "partially_refunded", amountRefunded: 500 });
  });

  it("concurrent duplicates make one refund in Stripe", async () => {
    const keyed = await paidOrder();
    const key = `refund-${crypto.randomUUID()}`;
    const sameKey = await Promise.all(Array.from({ length: 8 }, () => refund(keyed.id, { reason: "double click" }, key)));
    expect(sameKey.map((r) => r.status)).toEqual(Array(8).fill(202));
    expect(new Set(sameKey.map((r) => r.body.refundId)).size).toBe(1);
    expect(await refundsInStripe(keyed.paymentIntentId)).toHaveLength(1);

    const unkeyed = await paidOrder();
    const noKey = await Promise.all(Array.from({ length: 8 }, () => refund(unkeyed.id, { reason: "double click" })));
    expect(noKey.filter((r) => r.status === 202)).toHaveLength(1);
    expect(noKey.filter((r) => r.status === 409).map(errorCode)).toEqual(Array(7).fill("refund_in_progress"));
    expect(await refundsInStripe(unkeyed.paymentIntentId)).toHaveLength(1);
  });
});

describe("what Stripe refuses, and trouble on Stripe's side", () => {
  const refundRow = async (id: string) =>
    env.DB.prepare("SELECT status, stripe_refund_id FROM refunds WHERE id = ?")
      .bind(id)
      .first<{ status: string; stripe_refund_id: string | null }>();
  const latestRefundOf = async (orderId: string) =>
    (await env.DB.prepare("SELECT id, status FROM refunds WHERE order_id = ? ORDER BY created_at DESC LIMIT 1")
      .bind(orderId)
      .first<{ id: string; status: string }>())!;

  it("a refund made at Stripe before Plaza heard of it: 409 already_refunded, or refund_too_large for more than Stripe has left", async () => {
    const whole = await paidOrder();
    await testStripe().refunds.create({ payment_intent: whole.paymentIntentId });
    const already = await refund(whole.id, { reason: "from Plaza too" });
    expect([already.status, errorCode(already)]).toEqual([409, "already_refunded"]);
    // Stripe made nothing, so nothing is held: the order is free for what Stripe's event will tell.
    expect(await latestRefundOf(whole.id)).toMatchObject({ status: "failed" });
    await stripeConfirms();
    expect(await orderNow(whole.id)).toMatchObject({ status: "refunded", amountRefunded: 3000 });

    const part = await paidOrder();
    await testStripe().refunds.create({ payment_intent: part.paymentIntentId, amount: 2000 });
    const tooLarge = await refund(part.id, { reason: "all of it" });
    expect([tooLarge.status, errorCode(tooLarge)]).toEqual([409, "refund_too_large"]);
    const rest = await refund(part.id, { amount: 1000, reason: "what is left" });
    expect(rest.status, JSON.stringify(rest.body)).toBe(202);
    await stripeConfirms();
    expect(await orderNow(part.id)).toMatchObject({ status: "refunded", amountRefunded: 3000 });
  });

  it("an order whose payment Stripe does not know: 409 payment_record_missing", async () => {
    const buyer = await createUser("unknown-payment");
    const order = await insertOrder(fx.orgId, buyer.id, { paymentIntentId: "pi_not_at_stripe" });
    const res = await refund(order.id, { reason: "no such payment" });
    expect([res.status, errorCode(res)]).toEqual([409, "payment_record_missing"]);
  });

  it("rate limited: 503 payments_busy with Retry-After; a broken key: 503 payments_unavailable; an outage: 502 upstream_error; each retry with the key then refunds once", async () => {
    const cases = [
      ["rate_limit", 1, 503, "payments_busy"],
      ["expired_key", 1, 503, "payments_unavailable"],
      ["missing_permission", 1, 503, "payments_unavailable"],
      // The SDK tries a 500 three times itself.
      ["api_error", 3, 502, "upstream_error"],
    ] as const;
    for (const [kind, times, status, code] of cases) {
      const order = await paidOrder(1000);
      const key = `refund-${crypto.randomUUID()}`;
      await emulatorAdmin("POST", "/faults", { kind, method: "POST", path: "/v1/refunds", times });
      const failed = await refund(order.id, { reason: kind }, key);
      expect([failed.status, errorCode(failed)], kind).toEqual([status, code]);
      if (kind === "rate_limit") expect(failed.headers.get("retry-after")).toBe("2");
      expect(await latestRefundOf(order.id), kind).toMatchObject({ status: "failed" });

      const retried = await refund(order.id, { reason: kind }, key);
      expect(retried.status, `${kind}: ${JSON.stringify(retried.body)}`).toBe(202);
      expect(retried.body).toMatchObject({ id: (await latestRefundOf(order.id)).id, status: "pending", amount: 1000 });
      expect(await refundsInStripe(order.paymentIntentId), kind).toHaveLength(1);
    }
  });

  it("Stripe not answering at all: 502 upstream_error, and the amount is free again", async () => {
    const order = await paidOrder(1000);
    const cut = { ...env, STRIPE_EMULATOR_URL: "http://127.0.0.1:1" };
    const res = await worker.fetch(
      new Request(`http://plaza.test/v1/orgs/${fx.orgId}/orders/${order.id}/refund`, {
        method: "POST",
        headers: { authorization: `Bearer ${fx.admin.accessToken}`, "content-type": "application/json", "cf-connecting-ip": "203.0.113.7" },
        body: JSON.stringify({ reason: "while Stripe is away" }),
      }),
      cut,
      createExecutionContext(),
    );
    expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([502, "upstream_error"]);
    expect(await latestRefundOf(order.id)).toMatchObject({ status: "failed" });
    const again = await refund(order.id, { reason: "Stripe is back" });
    expect([again.status, again.body.status, again.body.amount], JSON.stringify(again.body)).toEqual([202, "pending", 1000]);
  });

  it("a pending refund whose Stripe call never answered stops holding the amount after 10 minutes", async () => {
    const order = await paidOrder(1000);
    const stale = Date.now() - 11 * 60 * 1000;
    await env.DB.prepare(
      "INSERT INTO refunds (id, org_id, order_id, amount, currency, reason, status, requested_by, request_hash, created_at, updated_at) VALUES (?, ?, ?, 1000, 'usd', 'lost', 'pending', ?, 'x', ?, ?)",
    )
      .bind(newId("refund"), fx.orgId, order.id, fx.admin.id, stale, stale)
      .run();
    const res = await refund(order.id, { reason: "after the lost one" });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(await refundRow(res.body.id)).toMatchObject({ status: "pending", stripe_refund_id: res.body.refundId });
  });
});
