/**
 * Operators find a real purchase (paid through the Stripe emulator) by every id a support request
 * may carry, with its entitlements; refund (partly), grant and revoke are audited with their id.
 */
import { env } from "cloudflare:workers";
import { beforeAll, expect, it } from "vitest";
import { createUser, type OrgFixture, orgFixture, type TestUser } from "../../test/fixtures";
import { call } from "../../test/http";
import { buy, eventually, onboardSeller, paidItem, stripeEventsSettled, testStripe } from "../../test/payments";

let fx: OrgFixture;
let buyer: TestUser;
let order: { id: string; paymentIntentId: string; sessionId: string; chargeId: string; itemId: string };

beforeAll(async () => {
  fx = await orgFixture();
  await onboardSeller(fx.owner, fx.orgId);
  const item = await paidItem(fx.orgId, { model: "one_time", amount: 2500, currency: "usd" });
  buyer = await createUser("searched-buyer");
  const { checkoutId } = await buy(item.slug, { buyer });
  await stripeEventsSettled();
  const id = await eventually(async () => (await call("GET", "/v1/me/orders", { token: buyer.accessToken })).body.data[0]?.id, "the order");
  const row = await env.DB.prepare(
    "SELECT o.payment_intent_id AS pi, c.session_id AS cs FROM orders o JOIN checkouts c ON c.id = ? WHERE o.id = ?",
  )
    .bind(checkoutId, id)
    .first<{ pi: string; cs: string }>();
  const chargeId = (await testStripe().paymentIntents.retrieve(row!.pi)).latest_charge as string;
  order = { id, paymentIntentId: row!.pi, sessionId: row!.cs, chargeId, itemId: item.id };
});

const search = (q: string) => call("GET", `/v1/operator/orders?q=${encodeURIComponent(q)}`, { token: fx.operator.accessToken });
const auditOf = async (action: string, targetId: string) =>
  env.DB.prepare("SELECT actor_user_id AS actor, metadata FROM audit_events WHERE action = ? AND target_id = ?")
    .bind(action, targetId)
    .all<{ actor: string; metadata: string }>()
    .then((r) => r.results.map((row) => ({ actor: row.actor, metadata: JSON.parse(row.metadata) })));

it("finds the order by the buyer's e-mail, the order id, and its payment intent, checkout session and charge", async () => {
  for (const q of [buyer.email, buyer.email.toUpperCase(), order.id, order.paymentIntentId, order.sessionId, order.chargeId]) {
    const res = await search(q);
    expect([res.status, res.body.data.map((o: { id: string }) => o.id)], q).toEqual([200, [order.id]]);
  }
  const [found] = (await search(order.chargeId)).body.data;
  expect(found).toMatchObject({
    id: order.id,
    userId: buyer.id,
    email: buyer.email,
    status: "paid",
    amount: 2500,
    stripePaymentIntentId: order.paymentIntentId,
    stripeCheckoutSessionId: order.sessionId,
    stripeChargeId: order.chargeId,
    items: [expect.objectContaining({ itemId: order.itemId })],
    entitlements: [expect.objectContaining({ itemId: order.itemId, userId: buyer.id, source: "purchase", status: "active" })],
  });
});

it("finds nothing for ids that name nothing", async () => {
  for (const q of ["nobody@example.test", "ord_doesnotexist00000000", "pi_nothing", "cs_nothing", "ch_nothing", "free text"]) {
    expect((await search(q)).body, q).toEqual({ data: [] });
  }
  expect((await search("")).status).toBe(400);
});

it("refunds part of the order, grants and revokes, each audited with the operator's id", async () => {
  const refund = await call("POST", `/v1/operator/orders/${order.id}/refund`, {
    token: fx.operator.accessToken,
    body: { amount: 1000, reason: "support: partial" },
  });
  expect([refund.status, refund.body.amount], JSON.stringify(refund.body)).toEqual([202, 1000]);
  expect(await auditOf("order.refund_requested", order.id)).toEqual([
    { actor: fx.operator.id, metadata: expect.objectContaining({ amount: 1000, reason: "support: partial" }) },
  ]);

  const grant = await call("POST", "/v1/operator/entitlements", {
    token: fx.operator.accessToken,
    body: { userId: buyer.id, itemId: order.itemId, reason: "support: goodwill" },
  });
  expect(grant.status, JSON.stringify(grant.body)).toBe(201);
  expect(await auditOf("entitlement.granted", order.itemId)).toEqual([
    { actor: fx.operator.id, metadata: expect.objectContaining({ userId: buyer.id, reason: "support: goodwill" }) },
  ]);
  const entitlements = (await search(order.id)).body.data[0].entitlements;
  expect(entitlements.map((e: { source: string }) => e.source).sort()).toEqual(["grant", "purchase"]);

  const revoke = await call("POST", `/v1/operator/entitlements/${grant.body.id}/revoke`, {
    token: fx.operator.accessToken,
    body: { reason: "support: undo" },
  });
  expect(revoke.status).toBe(200);
  expect(await auditOf("entitlement.revoked", grant.body.id)).toEqual([
    { actor: fx.operator.id, metadata: expect.objectContaining({ reason: "support: undo" }) },
  ]);
});
