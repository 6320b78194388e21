/**
 * Stripe delivers at least once and in no particular order. Here Plaza's platform endpoint is
 * unplugged from the emulator and the test delivers every event itself: each one 20 times,
 * concurrently, shuffled. Then the consumer reprocesses them all 20 times at once, as if the
 * events had never been marked processed. Each sale must still be one order, one entitlement and
 * one set of ledger entries.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type Stripe from "stripe";
import { beforeAll, expect, it } from "vitest";
import { createUser, type OrgFixture, orgFixture, sentReceiptTo, type TestUser } from "../../test/fixtures";
import { call } from "../../test/http";
import {
  buy,
  countRows,
  emulatorAdmin,
  eventually,
  onboardSeller,
  paidItem,
  signedDelivery,
  stripeEventsSettled,
  submitHostedForm,
  testStripe,
  unplugStripeWebhooks,
} from "../../test/payments";
import worker from "../index";

const COPIES = 20;
let fx: OrgFixture;
const delivered = new Set<string>();

beforeAll(async () => {
  fx = await orgFixture();
  await onboardSeller(fx.owner, fx.orgId);
  await unplugStripeWebhooks("platform");
});

function shuffle<T>(list: T[]): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = crypto.getRandomValues(new Uint32Array(1))[0]! % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Every platform event not delivered yet, each COPIES times, all at once in random order. */
async function deliverNewEventsManyTimes(): Promise<Stripe.Event[]> {
  const events: Stripe.Event[] = [];
  for await (const event of testStripe().events.list({ limit: 100 })) if (!delivered.has(event.id)) events.push(event);
  for (const e of events) delivered.add(e.id);
  const copies = shuffle(events.flatMap((event) => Array.from({ length: COPIES }, () => JSON.stringify(event, null, 2))));
  const answers = await Promise.all(copies.map((payload) => signedDelivery(payload)));
  expect(answers.every((a) => a.status === 200)).toBe(true);
  expect(answers.filter((a) => a.body.duplicate === false)).toHaveLength(events.length);
  await stripeEventsSettled();
  return events;
}

/** As if every claim were lost: the events back to `received`, consumed by COPIES shuffled batches at once. */
async function reprocessManyTimes(events: Stripe.Event[]) {
  const ids = events.map((e) => e.id);
  await env.DB.prepare(`UPDATE stripe_events SET status = 'received' WHERE id IN (${ids.map(() => "?").join(",")})`)
    .bind(...ids)
    .run();
  const batches = Array.from({ length: COPIES }, (_, n) =>
    createMessageBatch(
      "plaza-stripe-events",
      shuffle(ids).map((eventId, i) => ({ id: `m${n}-${i}`, timestamp: new Date(), attempts: 1, body: { eventId } })),
    ),
  );
  await Promise.all(
    batches.map(async (batch) => {
      const ctx = createExecutionContext();
      await worker.queue(batch, env as never);
      const result = await getQueueResult(batch, ctx);
      expect(result.retryMessages).toEqual([]);
    }),
  );
}

const counts = async (buyer: TestUser) => ({
  orders: await countRows("SELECT 1 FROM orders WHERE user_id = ?", buyer.id),
  entitlements: await countRows("SELECT 1 FROM entitlements WHERE user_id = ?", buyer.id),
  sales: await countRows(
    "SELECT 1 FROM ledger_entries l JOIN orders o ON o.id = l.order_id WHERE o.user_id = ? AND l.type = 'sale'",
    buyer.id,
  ),
  fees: await countRows(
    "SELECT 1 FROM ledger_entries l JOIN orders o ON o.id = l.order_id WHERE o.user_id = ? AND l.type = 'platform_fee'",
    buyer.id,
  ),
  licenses: await countRows("SELECT 1 FROM licenses WHERE user_id = ?", buyer.id),
  receipts: await countRows("SELECT 1 FROM mail_messages WHERE \"to\" = ? AND template = 'receipt'", buyer.email),
});

it("20 concurrent, shuffled deliveries of every event, then 20 concurrent reprocessings, make one order, entitlement, sale, license and receipt each", async () => {
  const oneTime = await paidItem(fx.orgId, { model: "one_time", amount: 1000, currency: "usd" });
  const monthly = await paidItem(fx.orgId, { model: "subscription", amount: 700, currency: "usd", interval: "month" });
  const [purchaser, subscriber] = await Promise.all([createUser("purchaser"), createUser("subscriber")]);
  const purchase = await buy(oneTime.slug, { buyer: purchaser });
  const subscription = await buy(monthly.slug, { buyer: subscriber });

  const events = await deliverNewEventsManyTimes();
  const types = new Set(events.map((e) => e.type));
  for (const type of ["checkout.session.completed", "invoice.paid", "invoice.payment_succeeded", "customer.subscription.created"])
    expect(types).toContain(type);
  const once = { orders: 1, entitlements: 1, sales: 1, fees: 2, licenses: 1, receipts: 1 };
  expect(await counts(purchaser)).toEqual(once);
  expect(await counts(subscriber)).toEqual(once);
  expect(await countRows("SELECT 1 FROM stripe_events WHERE status = 'processed'")).toBeGreaterThanOrEqual(4);
  // Every attempt drew a key; only the winning one was kept for its one showing, and it is the valid one.
  for (const [{ checkoutId }, item, buyer] of [
    [purchase, oneTime, purchaser],
    [subscription, monthly, subscriber],
  ] as const) {
    expect(await countRows("SELECT 1 FROM license_reveals WHERE checkout_id = ?", checkoutId)).toBe(1);
    const { licenseKey } = (await call("GET", `/v1/checkouts/${checkoutId}`)).body;
    const check = await call("POST", "/v1/licenses/validate", { body: { key: licenseKey, item: item.slug } });
    expect(check.body).toMatchObject({ valid: true, code: "valid" });
    // The one receipt carries the same, valid key.
    expect((await sentReceiptTo(buyer.email)).text).toContain(`License key: ${licenseKey}`);
  }

  await reprocessManyTimes(events);
  expect(await counts(purchaser)).toEqual(once);
  expect(await counts(subscriber)).toEqual(once);
  // Replays never mint (or offer to show) another key.
  expect(await countRows("SELECT 1 FROM license_reveals WHERE checkout_id IN (?, ?)", purchase.checkoutId, subscription.checkoutId)).toBe(
    0,
  );
});

it("a discounted checkout's events delivered 20 times concurrently, then reprocessed 20 times at once, make one order with its discount and count the code once", async () => {
  const item = await paidItem(fx.orgId, { model: "one_time", amount: 1000, currency: "usd" });
  const code = `REPLAY${Date.now().toString(36).toUpperCase()}`;
  const coupon = await call("POST", `/v1/orgs/${fx.orgId}/items/${item.id}/coupons`, {
    token: fx.admin.accessToken,
    body: { code, percentOff: 20 },
  });
  expect(coupon.status).toBe(201);
  const buyer = await createUser("coupon-replay");
  const started = await call("POST", `/v1/items/${item.slug}/checkout`, { token: buyer.accessToken, body: { promotionCode: code } });
  expect(started.status).toBe(201);
  await submitHostedForm(started.body.url, "pay");

  const discounted = async () => ({
    ...(await counts(buyer)),
    order: await env.DB.prepare("SELECT amount, fee_amount, discount_amount, coupon_code FROM orders WHERE user_id = ?")
      .bind(buyer.id)
      .all(),
    redemptions: await countRows("SELECT 1 FROM coupon_redemptions WHERE coupon_id = ?", coupon.body.id),
    timesRedeemed: (
      await env.DB.prepare("SELECT times_redeemed AS n FROM coupons WHERE id = ?").bind(coupon.body.id).first<{ n: number }>()
    )?.n,
  });
  const once = {
    orders: 1,
    entitlements: 1,
    sales: 1,
    fees: 2,
    licenses: 1,
    receipts: 1,
    order: expect.objectContaining({ results: [{ amount: 800, fee_amount: 110, discount_amount: 200, coupon_code: code }] }),
    redemptions: 1,
    timesRedeemed: 1,
  };
  const events = await deliverNewEventsManyTimes();
  expect(await discounted()).toEqual(once);
  await reprocessManyTimes(events);
  expect(await discounted()).toEqual(once);
});

it("a taxed checkout's events delivered 20 times concurrently, then reprocessed 20 times at once, make one order with its tax and book the tax once", async () => {
  const item = await paidItem(fx.orgId, { model: "one_time", amount: 1000, currency: "eur" });
  const buyer = await createUser("tax-replay");
  // The operator's switch, on for this checkout only (fulfillment reads the tax from the session).
  const started = await worker.fetch!(
    new Request(`http://plaza.test/v1/items/${item.slug}/checkout`, {
      method: "POST",
      headers: { authorization: `Bearer ${buyer.accessToken}`, "content-type": "application/json" },
      body: "{}",
    }) as Request<unknown, IncomingRequestCfProperties>,
    { ...env, TAX_COLLECTION: "automatic" },
    createExecutionContext(),
  );
  expect(started.status).toBe(201);
  const { url } = (await started.json()) as { url: string };
  const paid = await fetch(`${url}/pay`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "country=DE",
  });
  expect(paid.status).toBe(303);

  const taxed = async () => ({
    ...(await counts(buyer)),
    order: await env.DB.prepare("SELECT amount, fee_amount, tax_amount, tax_country FROM orders WHERE user_id = ?").bind(buyer.id).all(),
    taxEntries: await env.DB.prepare(
      "SELECT l.amount FROM ledger_entries l JOIN orders o ON o.id = l.order_id WHERE o.user_id = ? AND l.type = 'tax'",
    )
      .bind(buyer.id)
      .all(),
  });
  const once = {
    orders: 1,
    entitlements: 1,
    sales: 1,
    fees: 2,
    licenses: 1,
    receipts: 1,
    order: expect.objectContaining({ results: [{ amount: 1190, fee_amount: 130, tax_amount: 190, tax_country: "DE" }] }),
    taxEntries: expect.objectContaining({ results: [{ amount: 190 }] }),
  };
  const events = await deliverNewEventsManyTimes();
  expect(await taxed()).toEqual(once);
  await reprocessManyTimes(events);
  expect(await taxed()).toEqual(once);
});

it("a plan change's events (customer.subscription.updated, the proration invoice's invoice.paid) delivered 20 times concurrently, then reprocessed 20 times at once, book its invoice once and leave one entitlement on the yearly period", async () => {
  const item = await paidItem(fx.orgId, {
    model: "subscription",
    amount: 900,
    currency: "usd",
    interval: "month",
    otherIntervalAmount: 9000,
  });
  const buyer = await createUser("plan-dupes");
  await buy(item.slug, { buyer });
  await deliverNewEventsManyTimes();
  const [sub] = (await call("GET", "/v1/me/subscriptions", { token: buyer.accessToken })).body.data;
  const switched = await call("POST", `/v1/me/subscriptions/${sub.id}/plan`, { token: buyer.accessToken, body: { interval: "year" } });
  expect(switched.body.plan).toMatchObject({ interval: "year", amount: 9000 });

  const events = await deliverNewEventsManyTimes();
  const types = new Set(events.map((e) => e.type));
  for (const type of ["customer.subscription.updated", "invoice.paid"]) expect(types).toContain(type);
  const twice = { orders: 2, entitlements: 1, sales: 2, fees: 4, licenses: 1, receipts: 1 };
  expect(await counts(buyer)).toEqual(twice);
  await reprocessManyTimes(events);
  expect(await counts(buyer)).toEqual(twice);
  const { results } = await env.DB.prepare("SELECT amount FROM orders WHERE user_id = ? ORDER BY created_at")
    .bind(buyer.id)
    .all<{ amount: number }>();
  // The switch's order: the year less the unused time of the month just paid (all of it, to the second).
  expect(results.map((o) => o.amount)).toEqual([900, expect.any(Number)]);
  expect(results[1]!.amount).toBeGreaterThanOrEqual(9000 - 900);
  expect(results[1]!.amount).toBeLessThan(9000);
  const [after] = (await call("GET", "/v1/me/subscriptions", { token: buyer.accessToken })).body.data;
  expect(after).toMatchObject({ plan: { interval: "year" }, currentPeriodEnd: switched.body.currentPeriodEnd });
});

it("a refund's events delivered 20 times concurrently book the refund once and revoke once", async () => {
  const item = await paidItem(fx.orgId, { model: "one_time", amount: 2500, currency: "usd" });
  const buyer = await createUser("refund-dupes");
  await buy(item.slug, { buyer });
  await deliverNewEventsManyTimes();
  const [order] = (await call("GET", "/v1/me/orders", { token: buyer.accessToken })).body.data;
  const refund = await call("POST", `/v1/orgs/${fx.orgId}/orders/${order.id}/refund`, {
    token: fx.owner.accessToken,
    body: { reason: "duplicate test" },
  });
  expect(refund.status).toBe(202);

  const events = await deliverNewEventsManyTimes();
  expect(events.map((e) => e.type)).toContain("charge.refunded");
  const refunds = await countRows("SELECT 1 FROM ledger_entries WHERE order_id = ? AND type = 'refund'", order.id);
  expect(refunds).toBe(1);
  const orderNow = await eventually(async () => {
    const res = await call("GET", `/v1/orgs/${fx.orgId}/orders/${order.id}`, { token: fx.owner.accessToken });
    return res.body.status === "refunded" ? res.body : undefined;
  }, "the refunded order");
  expect(orderNow.amountRefunded).toBe(2500);
  expect(await countRows("SELECT 1 FROM entitlements WHERE user_id = ? AND status = 'revoked'", buyer.id)).toBe(1);
  expect(await countRows("SELECT 1 FROM licenses WHERE user_id = ? AND status = 'revoked'", buyer.id)).toBe(1);
  expect(await countRows("SELECT 1 FROM audit_events WHERE action = 'order.refunded' AND target_id = ?", order.id)).toBe(1);
  expect(await countRows(`SELECT 1 FROM mail_messages WHERE "to" = ? AND subject LIKE 'Your refund for %'`, buyer.email)).toBe(1);
});

it("a refund that fails, its events (refund.updated, refund.failed among them) delivered 20 times concurrently: access and books as before, once each", async () => {
  const item = await paidItem(fx.orgId, { model: "one_time", amount: 2500, currency: "usd" });
  const buyer = await createUser("refund-fails-dupes");
  await buy(item.slug, { buyer });
  await deliverNewEventsManyTimes();
  const [order] = (await call("GET", "/v1/me/orders", { token: buyer.accessToken })).body.data;
  const { payment_intent_id: paymentIntentId } = (await env.DB.prepare("SELECT payment_intent_id FROM orders WHERE id = ?")
    .bind(order.id)
    .first<{ payment_intent_id: string }>())!;
  await emulatorAdmin("POST", `/payment_intents/${paymentIntentId}/hold_refunds`, { hold: true });
  const refund = await call("POST", `/v1/orgs/${fx.orgId}/orders/${order.id}/refund`, {
    token: fx.owner.accessToken,
    body: { reason: "fails later" },
  });
  expect(refund.status).toBe(202);
  await emulatorAdmin("POST", `/refunds/${refund.body.refundId}/settle`, { status: "failed", failure_reason: "declined" });

  const events = await deliverNewEventsManyTimes();
  expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(["charge.refunded", "refund.updated", "refund.failed"]));
  const entries = (type: string) => countRows("SELECT 1 FROM ledger_entries WHERE order_id = ? AND type = ?", order.id, type);
  // The refund and its counter-entry, once each; the author's balance as after the sale.
  expect([await entries("sale"), await entries("refund"), await entries("fee_refund")]).toEqual([1, 2, 4]);
  const net = await env.DB.prepare("SELECT sum(amount) AS net FROM ledger_entries WHERE order_id = ? AND account = ?")
    .bind(order.id, fx.orgId)
    .first<{ net: number }>();
  const { body: now } = await call("GET", `/v1/orgs/${fx.orgId}/orders/${order.id}`, { token: fx.owner.accessToken });
  expect(net!.net).toBe(2500 - now.feeAmount);
  expect(now).toMatchObject({ status: "paid", amountRefunded: 0 });
  expect(await countRows("SELECT 1 FROM entitlements WHERE user_id = ? AND status = 'active'", buyer.id)).toBe(1);
  expect(await countRows("SELECT 1 FROM licenses WHERE user_id = ? AND status = 'active'", buyer.id)).toBe(1);
  expect(await countRows("SELECT 1 FROM audit_events WHERE action = 'order.refund_failed' AND target_id = ?", order.id)).toBe(1);
  expect(await countRows(`SELECT 1 FROM mail_messages WHERE "to" = ? AND subject LIKE 'Your refund for %'`, buyer.email)).toBe(0);
  expect(await countRows("SELECT 1 FROM refunds WHERE order_id = ? AND status = 'failed' AND failure_reason = 'declined'", order.id)).toBe(
    1,
  );
});

it("expired and failed checkouts' events (checkout.session.expired, async_payment_failed) delivered 20 times concurrently, then reprocessed 20 times at once, close each checkout once and fulfil nothing", async () => {
  const item = await paidItem(fx.orgId, { model: "one_time", amount: 1500, currency: "usd" });
  const [abandoning, declined, paidLater] = await Promise.all([
    createUser("abandons"),
    createUser("debit-declined"),
    createUser("debit-paid"),
  ]);
  const open = async (buyer: TestUser) => {
    const res = await call("POST", `/v1/items/${item.slug}/checkout`, { token: buyer.accessToken, body: {} });
    const row = await env.DB.prepare("SELECT session_id FROM checkouts WHERE id = ?")
      .bind(res.body.checkoutId)
      .first<{ session_id: string }>();
    return { checkoutId: res.body.checkoutId as string, sessionId: row!.session_id };
  };
  const expired = await open(abandoning);
  await testStripe().checkout.sessions.expire(expired.sessionId);
  // Asynchronous payments (bank debits): one the bank declines, one it pays.
  const failed = await open(declined);
  const succeeded = await open(paidLater);
  for (const [{ sessionId }, succeed] of [
    [failed, false],
    [succeeded, true],
  ] as const) {
    await emulatorAdmin("POST", `/checkout/sessions/${sessionId}/pay_async`, {});
    await emulatorAdmin("POST", `/checkout/sessions/${sessionId}/async_payment`, { succeed });
  }

  const events = await deliverNewEventsManyTimes();
  const types = ["checkout.session.expired", "checkout.session.async_payment_failed", "checkout.session.async_payment_succeeded"];
  expect(events.map((e) => e.type)).toEqual(expect.arrayContaining([...types, "checkout.session.completed"]));
  const statuses = async () => {
    const rows = await env.DB.prepare("SELECT id, status FROM checkouts WHERE id IN (?, ?, ?)")
      .bind(expired.checkoutId, failed.checkoutId, succeeded.checkoutId)
      .all<{ id: string; status: string }>();
    const of = (id: string) => rows.results.find((r) => r.id === id)?.status;
    return [of(expired.checkoutId), of(failed.checkoutId), of(succeeded.checkoutId)];
  };
  const none = { orders: 0, entitlements: 0, sales: 0, fees: 0, licenses: 0, receipts: 0 };
  const once = { orders: 1, entitlements: 1, sales: 1, fees: 2, licenses: 1, receipts: 1 };
  const expectOneEffectEach = async () => {
    expect(await statuses()).toEqual(["expired", "failed", "complete"]);
    expect([await counts(abandoning), await counts(declined), await counts(paidLater)]).toEqual([none, none, once]);
  };
  await expectOneEffectEach();
  // Each event was recorded once and took effect once.
  for (const type of types) expect(await countRows("SELECT 1 FROM stripe_events WHERE type = ? AND status = 'processed'", type)).toBe(1);

  await reprocessManyTimes(events);
  await expectOneEffectEach();
});

it("a dispute's events (charge.dispute.created, funds_withdrawn, closed won, funds_reinstated) delivered 20 times concurrently, then reprocessed 20 times at once: one record, its amount and fee booked and given back once, access frozen and restored, one e-mail", async () => {
  const item = await paidItem(fx.orgId, { model: "one_time", amount: 2000, currency: "usd" });
  const buyer = await createUser("dispute-dupes");
  await buy(item.slug, { buyer });
  await deliverNewEventsManyTimes();
  const [order] = (await call("GET", "/v1/me/orders", { token: buyer.accessToken })).body.data;
  const { payment_intent_id: paymentIntentId } = (await env.DB.prepare("SELECT payment_intent_id FROM orders WHERE id = ?")
    .bind(order.id)
    .first<{ payment_intent_id: string }>())!;
  const chargeId = (await testStripe().paymentIntents.retrieve(paymentIntentId)).latest_charge as string;
  const dispute = await emulatorAdmin<{ id: string }>("POST", `/charges/${chargeId}/dispute`, { reason: "fraudulent" });
  const entries = (type: string) => countRows("SELECT 1 FROM ledger_entries WHERE order_id = ? AND type = ?", order.id, type);
  const status = async (table: "entitlements" | "licenses") =>
    (await env.DB.prepare(`SELECT status FROM ${table} WHERE user_id = ?`).bind(buyer.id).first<{ status: string }>())?.status;
  const mails = () =>
    countRows(`SELECT 1 FROM mail_messages WHERE subject LIKE 'A buyer disputed a payment%' AND "to" = ?`, fx.owner.email);

  const opened = await deliverNewEventsManyTimes();
  expect(opened.map((e) => e.type).sort()).toEqual(["charge.dispute.created", "charge.dispute.funds_withdrawn"]);
  expect([
    await entries("dispute"),
    await entries("dispute_fee"),
    await status("entitlements"),
    await status("licenses"),
    await mails(),
  ]).toEqual([1, 1, "disputed", "disputed", 1]);

  await emulatorAdmin("POST", `/disputes/${dispute.id}/close`, { status: "won" });
  const closed = await deliverNewEventsManyTimes();
  await reprocessManyTimes([...opened, ...closed]);
  expect(await countRows("SELECT 1 FROM disputes WHERE id = ? AND status = 'won'", dispute.id)).toBe(1);
  expect([
    await entries("dispute"),
    await entries("dispute_fee"),
    await status("entitlements"),
    await status("licenses"),
    await mails(),
  ]).toEqual([2, 2, "active", "active", 1]);
  const net = await env.DB.prepare("SELECT sum(amount) AS net FROM ledger_entries WHERE order_id = ? AND account = ?")
    .bind(order.id, fx.orgId)
    .first<{ net: number }>();
  expect(net!.net).toBe(2000 - order.feeAmount);
  for (const action of ["order.dispute_opened", "order.dispute_closed"])
    expect(await countRows("SELECT 1 FROM audit_events WHERE action = ? AND target_id = ?", action, order.id)).toBe(1);
});
