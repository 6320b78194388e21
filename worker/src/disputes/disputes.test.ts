/**
 * A dispute's life through the official SDK against the emulator: a buyer's bank opens one on the
 * charge, then the card network decides it. Plaza's platform endpoint is unplugged; the test
 * delivers Stripe's events itself, in the order it chooses.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createUser, type OrgFixture, orgFixture } from "../../test/fixtures";
import { call } from "../../test/http";
import { notificationsOf } from "../../test/notification-fixtures";
import {
  buy,
  countRows,
  emulatorAdmin,
  eventually,
  onboardSeller,
  paidItem,
  platformEventSender,
  testStripe,
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

async function paidOrder() {
  const item = await paidItem(fx.orgId, { model: "one_time", amount: 3000, currency: "usd" });
  const buyer = await createUser("disputing-buyer");
  const { checkoutId } = await buy(item.slug, { buyer });
  await stripeSends();
  const order = await eventually(async () => (await call("GET", "/v1/me/orders", { token: buyer.accessToken })).body.data[0], "the order");
  const row = await env.DB.prepare("SELECT payment_intent_id AS pi, fee_amount AS fee FROM orders WHERE id = ?")
    .bind(order.id)
    .first<{ pi: string; fee: number }>();
  const chargeId = (await testStripe().paymentIntents.retrieve(row!.pi)).latest_charge as string;
  const { licenseKey } = (await call("GET", `/v1/checkouts/${checkoutId}`)).body as { licenseKey: string };
  return { id: order.id as string, fee: row!.fee, chargeId, buyer, item, licenseKey };
}
type Sale = Awaited<ReturnType<typeof paidOrder>>;

const openDispute = (sale: Sale) =>
  emulatorAdmin<{ id: string }>("POST", `/charges/${sale.chargeId}/dispute`, { reason: "product_not_received", due_in_days: 7 });
const closeDispute = (id: string, status: "won" | "lost") => emulatorAdmin("POST", `/disputes/${id}/close`, { status });

/** What the buyer holds, what the books say about the order, and what the author was told. */
async function stateOf(sale: Sale) {
  const one = (sql: string) => env.DB.prepare(sql).bind(sale.id).first<{ v: string | number | null }>();
  const license = await call("POST", "/v1/licenses/validate", { body: { key: sale.licenseKey, item: sale.item.slug } });
  return {
    entitlement: (await env.DB.prepare("SELECT status AS v FROM entitlements WHERE user_id = ?").bind(sale.buyer.id).first<{ v: string }>())
      ?.v,
    licenseApi: license.body.code,
    authorNet: (await one(`SELECT sum(amount) AS v FROM ledger_entries WHERE order_id = ? AND account = '${fx.orgId}'`))?.v,
    disputeLines: await countRows("SELECT 1 FROM ledger_entries WHERE order_id = ? AND type IN ('dispute', 'dispute_fee')", sale.id),
    ownerMails: await countRows(
      `SELECT 1 FROM mail_messages WHERE "to" = ? AND subject LIKE 'A buyer disputed a payment%'`,
      fx.owner.email,
    ),
    // An admin's notifications about this order (the owner gets the same); a plain member's none.
    adminNotices: (await notificationsOf(fx.admin.id)).filter((n) => n.body.includes(sale.id)).map((n) => n.type),
    memberNotices: (await notificationsOf(fx.member.id)).filter((n) => n.body.includes(sale.id)).length,
  };
}

const disputesOf = async (state: "open" | "closed") =>
  (await call("GET", `/v1/orgs/${fx.orgId}/disputes?state=${state}`, { token: fx.member.accessToken })).body.data as {
    id: string;
    status: string;
    orderId: string;
    evidenceDueBy: number;
    respondUrl: string;
  }[];

const audited = async (sale: Sale) =>
  (
    await env.DB.prepare("SELECT action FROM audit_events WHERE target_id = ? AND action LIKE 'order.dispute_%' ORDER BY action")
      .bind(sale.id)
      .all<{ action: string }>()
  ).results.map((r) => r.action);

describe("a dispute's lifecycle", () => {
  it("opened, then won: access frozen and the amount and fee booked, the author mailed once; won gives both back", async () => {
    const sale = await paidOrder();
    const dispute = await openDispute(sale);
    expect(await stripeSends()).toEqual(["charge.dispute.created", "charge.dispute.funds_withdrawn"]);
    expect(await stateOf(sale)).toEqual({
      entitlement: "disputed",
      licenseApi: "disputed",
      authorNet: 3000 - sale.fee - 3000 - 1500,
      disputeLines: 2,
      ownerMails: 1,
      adminNotices: ["dispute_opened"],
      memberNotices: 0,
    });
    const [open] = await disputesOf("open");
    expect(open).toMatchObject({ id: dispute.id, orderId: sale.id, status: "needs_response" });
    expect(open!.evidenceDueBy).toBeGreaterThan(Date.now() + 6 * 86_400_000);
    expect(open!.respondUrl).toBe(`https://dashboard.stripe.com/test/disputes/${dispute.id}`);
    const mail = await env.DB.prepare(`SELECT subject FROM mail_messages WHERE "to" = ? AND subject LIKE 'A buyer disputed%'`)
      .bind(fx.owner.email)
      .first<{ subject: string }>();
    expect(mail?.subject).toMatch(/^A buyer disputed a payment of \$30\.00 to /);
    // The dispute mail is the notification's e-mail: admins get it too (both by default).
    expect(await countRows(`SELECT 1 FROM mail_messages WHERE "to" = ? AND subject LIKE 'A buyer disputed%'`, fx.admin.email)).toBe(1);

    // While the bank disputes the payment, Stripe refuses a refund: the author is told why, and nothing changes.
    const refund = await call("POST", `/v1/orgs/${fx.orgId}/orders/${sale.id}/refund`, {
      token: fx.owner.accessToken,
      body: { reason: "Buyer asked" },
    });
    expect(refund.status).toBe(409);
    expect(refund.body.error.code).toBe("charge_disputed");
    expect((await stateOf(sale)).authorNet).toBe(3000 - sale.fee - 3000 - 1500);

    await closeDispute(dispute.id, "won");
    expect(await stripeSends()).toEqual(["charge.dispute.closed", "charge.dispute.funds_reinstated"]);
    expect(await stateOf(sale)).toEqual({
      entitlement: "active",
      licenseApi: "valid",
      authorNet: 3000 - sale.fee,
      disputeLines: 4,
      ownerMails: 1,
      adminNotices: ["dispute_opened", "dispute_closed"],
      memberNotices: 0,
    });
    expect(await disputesOf("open")).toEqual([]);
    expect((await disputesOf("closed")).find((d) => d.id === dispute.id)?.status).toBe("won");
    expect(await audited(sale)).toEqual(["order.dispute_closed", "order.dispute_opened"]);
  });

  it("opened and lost, its events processed newest first (closed before created): access revoked for good, the books keep the loss", async () => {
    const sale = await paidOrder();
    const mailsBefore = (await stateOf(sale)).ownerMails;
    const dispute = await openDispute(sale);
    await closeDispute(dispute.id, "lost");
    await stripeSends("newest first");
    expect(await stateOf(sale)).toEqual({
      entitlement: "revoked",
      licenseApi: "revoked",
      authorNet: 3000 - sale.fee - 3000 - 1500,
      disputeLines: 2,
      // Already decided when Plaza heard of it: nothing left to respond to, only the outcome to tell.
      ownerMails: mailsBefore,
      adminNotices: ["dispute_closed"],
      memberNotices: 0,
    });
    expect((await disputesOf("open")).some((d) => d.id === dispute.id)).toBe(false);
    expect((await disputesOf("closed")).find((d) => d.id === dispute.id)?.status).toBe("lost");
    // Both audited once, though Plaza heard of the dispute only when it was decided.
    expect(await audited(sale)).toEqual(["order.dispute_closed", "order.dispute_opened"]);
  });
});
