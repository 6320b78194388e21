/**
 * A refund's life after it was asked for, through the official SDK against the emulator: Stripe
 * makes it `pending` or `succeeded`, and a refund may still fail or be canceled later
 * (`refund.updated`, `refund.failed`). Plaza's platform endpoint is unplugged from the emulator;
 * the test delivers Stripe's events itself, in the order it chooses.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createUser, type OrgFixture, orgFixture, type TestUser } from "../../test/fixtures";
import { call } from "../../test/http";
import {
  buy,
  countRows,
  emulatorAdmin,
  eventually,
  onboardSeller,
  paidItem,
  platformEventSender,
  unplugStripeWebhooks,
} from "../../test/payments";

let fx: OrgFixture;

beforeAll(async () => {
  fx = await orgFixture();
  await onboardSeller(fx.owner, fx.orgId);
  await unplugStripeWebhooks("platform");
});

/** Every platform event not delivered yet reaches Plaza, oldest first (or newest first), and is processed. */
const stripeSends = platformEventSender();

interface Sale {
  id: string;
  paymentIntentId: string;
  buyer: TestUser;
}

async function paidOrder(amount = 3000): Promise<Sale> {
  const item = await paidItem(fx.orgId, { model: "one_time", amount, currency: "usd" });
  const buyer = await createUser("lifecycle-buyer");
  await buy(item.slug, { buyer });
  await stripeSends();
  const order = await eventually(async () => (await call("GET", "/v1/me/orders", { token: buyer.accessToken })).body.data[0], "the order");
  const row = await env.DB.prepare("SELECT payment_intent_id FROM orders WHERE id = ?")
    .bind(order.id)
    .first<{ payment_intent_id: string }>();
  return { id: order.id, paymentIntentId: row!.payment_intent_id, buyer };
}

async function refund(sale: Sale, body: { amount?: number; reason: string } = { reason: "asked by the buyer" }) {
  const res = await call("POST", `/v1/orgs/${fx.orgId}/orders/${sale.id}/refund`, { token: fx.admin.accessToken, body });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body as { id: string; refundId: string };
}

const holdRefunds = (sale: Sale) => emulatorAdmin("POST", `/payment_intents/${sale.paymentIntentId}/hold_refunds`, { hold: true });
const settle = (refundId: string, body: { status: "succeeded" | "failed" | "canceled"; failure_reason?: string }) =>
  emulatorAdmin("POST", `/refunds/${refundId}/settle`, body);

/** What the buyer holds, what the books say, and what was mailed about the sale. */
async function stateOf(sale: Sale) {
  const order = (await call("GET", `/v1/orgs/${fx.orgId}/orders/${sale.id}`, { token: fx.admin.accessToken })).body;
  const one = (sql: string) => env.DB.prepare(sql).bind(sale.id).first<{ v: string | number | null }>();
  return {
    order: { status: order.status, amountRefunded: order.amountRefunded },
    entitlement: (await env.DB.prepare("SELECT status AS v FROM entitlements WHERE user_id = ?").bind(sale.buyer.id).first<{ v: string }>())
      ?.v,
    license: (await one("SELECT status AS v FROM licenses WHERE order_id = ?"))?.v,
    /** The author's net on the order: the sale less the fee, less what was refunded (fees given back included). */
    authorNet: (await one(`SELECT sum(amount) AS v FROM ledger_entries WHERE order_id = ? AND account = '${fx.orgId}'`))?.v,
    platformNet: (await one("SELECT sum(amount) AS v FROM ledger_entries WHERE order_id = ? AND account = 'platform'"))?.v,
    confirmations: await countRows(`SELECT 1 FROM mail_messages WHERE "to" = ? AND subject LIKE 'Your refund for %'`, sale.buyer.email),
  };
}

const refundRow = (id: string) =>
  env.DB.prepare("SELECT status, failure_reason AS failureReason FROM refunds WHERE id = ?")
    .bind(id)
    .first<{ status: string; failureReason: string | null }>();

const feeOf = async (sale: Sale) =>
  (await env.DB.prepare("SELECT fee_amount AS v FROM orders WHERE id = ?").bind(sale.id).first<{ v: number }>())!.v;

describe("a refund's lifecycle", () => {
  it("succeeded: access revoked, the reversal booked once, one confirmation e-mail", async () => {
    const sale = await paidOrder();
    const made = await refund(sale);
    expect(await stripeSends()).toEqual(expect.arrayContaining(["refund.created", "charge.refunded"]));
    expect(await stateOf(sale)).toEqual({
      order: { status: "refunded", amountRefunded: 3000 },
      entitlement: "revoked",
      license: "revoked",
      authorNet: 0,
      platformNet: 0,
      confirmations: 1,
    });
    expect(await refundRow(made.id)).toEqual({ status: "succeeded", failureReason: null });
    const mail = await env.DB.prepare(`SELECT subject FROM mail_messages WHERE "to" = ? AND subject LIKE 'Your refund for %'`)
      .bind(sale.buyer.email)
      .first<{ subject: string }>();
    expect(mail?.subject).toMatch(/^Your refund for /);
  });

  it("pending, then failed: access revoked at once and given back, the books as before the refund, no confirmation e-mail", async () => {
    const sale = await paidOrder();
    const fee = await feeOf(sale);
    const before = await stateOf(sale);
    expect(before).toMatchObject({ entitlement: "active", license: "active", authorNet: 3000 - fee, platformNet: fee });
    await holdRefunds(sale);
    const made = await refund(sale);
    await stripeSends();
    expect(await stateOf(sale)).toMatchObject({
      order: { status: "refunded", amountRefunded: 3000 },
      entitlement: "revoked",
      confirmations: 0,
    });

    await settle(made.refundId, { status: "failed", failure_reason: "expired_or_canceled_card" });
    expect(await stripeSends()).toEqual(expect.arrayContaining(["refund.updated", "refund.failed"]));
    expect(await stateOf(sale)).toEqual(before);
    expect(await refundRow(made.id)).toEqual({ status: "failed", failureReason: "expired_or_canceled_card" });
    expect(await countRows("SELECT 1 FROM audit_events WHERE action = 'order.refund_failed' AND target_id = ?", sale.id)).toBe(1);
    // The license key works again.
    expect(await countRows("SELECT 1 FROM licenses WHERE order_id = ? AND revoked_at IS NULL", sale.id)).toBe(1);
  });

  it("the failure processed before charge.refunded (newest first): access never lost for good, the books as before, no e-mail", async () => {
    const sale = await paidOrder();
    const before = await stateOf(sale);
    await holdRefunds(sale);
    const made = await refund(sale);
    await settle(made.refundId, { status: "failed", failure_reason: "lost_or_stolen_card" });
    await stripeSends("newest first");
    expect(await stateOf(sale)).toEqual(before);
    expect(await refundRow(made.id)).toEqual({ status: "failed", failureReason: "lost_or_stolen_card" });
  });

  it("pending, then succeeded: the confirmation e-mail is written when Stripe reports success, once", async () => {
    const sale = await paidOrder();
    await holdRefunds(sale);
    const made = await refund(sale, { amount: 1000, reason: "part of it" });
    await stripeSends();
    expect(await stateOf(sale)).toMatchObject({
      order: { status: "partially_refunded", amountRefunded: 1000 },
      entitlement: "active",
      confirmations: 0,
    });
    await settle(made.refundId, { status: "succeeded" });
    expect(await stripeSends()).toContain("refund.updated");
    expect(await stateOf(sale)).toMatchObject({ order: { status: "partially_refunded", amountRefunded: 1000 }, confirmations: 1 });
    expect(await refundRow(made.id)).toEqual({ status: "succeeded", failureReason: null });
  });

  it("a canceled partial refund gives its amount back to refund again; a second full refund then revokes", async () => {
    const sale = await paidOrder();
    const fee = await feeOf(sale);
    await holdRefunds(sale);
    const made = await refund(sale, { amount: 1000, reason: "part" });
    await settle(made.refundId, { status: "canceled" });
    await stripeSends();
    expect(await stateOf(sale)).toMatchObject({
      order: { status: "paid", amountRefunded: 0 },
      entitlement: "active",
      authorNet: 3000 - fee,
    });
    expect((await refundRow(made.id))?.status).toBe("canceled");
    await emulatorAdmin("POST", `/payment_intents/${sale.paymentIntentId}/hold_refunds`, { hold: false });
    await refund(sale);
    await stripeSends();
    expect(await stateOf(sale)).toMatchObject({
      order: { status: "refunded", amountRefunded: 3000 },
      entitlement: "revoked",
      authorNet: 0,
    });
  });
});
