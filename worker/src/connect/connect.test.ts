import { env } from "cloudflare:workers";
import { beforeAll, expect, it } from "vitest";
import { createUser, type OrgFixture, orgFixture } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";
import { notificationsOf } from "../../test/notification-fixtures";
import {
  countRows,
  emulatorAdmin,
  eventually,
  onboardSeller,
  paidItem,
  signedDelivery,
  stripeEventsSettled,
  testStripe,
} from "../../test/payments";
import { open } from "../crypto/secret-box";

let fx: OrgFixture;
beforeAll(async () => {
  fx = await orgFixture();
});

const stored = () =>
  env.DB.prepare("SELECT account_id_encrypted, charges_enabled FROM connect_accounts WHERE org_id = ?")
    .bind(fx.orgId)
    .first<{ account_id_encrypted: string; charges_enabled: number }>();
const keys = () => (env as unknown as { ENCRYPTION_KEYS: string }).ENCRYPTION_KEYS;

it("onboards one Express account per org, stored only encrypted, and reports its state", async () => {
  const before = await call("GET", `/v1/orgs/${fx.orgId}/connect`, { token: fx.member.accessToken });
  expect(before.body).toEqual({
    connected: false,
    chargesEnabled: false,
    payoutsEnabled: false,
    detailsSubmitted: false,
    payoutProblem: null,
    disconnected: false,
  });
  const [a, b] = await Promise.all([
    call("POST", `/v1/orgs/${fx.orgId}/connect/onboarding`, { token: fx.owner.accessToken }),
    call("POST", `/v1/orgs/${fx.orgId}/connect/onboarding`, { token: fx.admin.accessToken }),
  ]);
  expect([a.status, b.status]).toEqual([201, 201]);
  expect(await countRows("SELECT 1 FROM connect_accounts WHERE org_id = ?", fx.orgId)).toBe(1);
  const row = (await stored())!;
  expect(row.account_id_encrypted).not.toContain("acct_");
  const accountId = await open(keys(), row.account_id_encrypted);
  expect((await testStripe().accounts.retrieve(accountId)).metadata).toEqual({ plaza_org_id: fx.orgId });

  // Dashboard links need finished onboarding.
  const early = await call("POST", `/v1/orgs/${fx.orgId}/connect/dashboard-link`, { token: fx.owner.accessToken });
  expect(early.status).toBe(409);

  await onboardSeller(fx.owner, fx.orgId);
  const after = await call("GET", `/v1/orgs/${fx.orgId}/connect`, { token: fx.member.accessToken });
  expect(after.body).toEqual({
    connected: true,
    chargesEnabled: true,
    payoutsEnabled: true,
    detailsSubmitted: true,
    payoutProblem: null,
    disconnected: false,
  });
  const dashboard = await call("POST", `/v1/orgs/${fx.orgId}/connect/dashboard-link`, { token: fx.owner.accessToken });
  expect(dashboard.status).toBe(201);
  expect(dashboard.body.url).toMatch(/^http:\/\/stripe\.emulator\//);
});

it("when Stripe disables charges (account.updated), the admins are notified and checkout is refused until they are back", async () => {
  const accountId = await open(keys(), (await stored())!.account_id_encrypted);
  const item = await paidItem(fx.orgId, { model: "one_time", amount: 1000, currency: "usd" });
  const buyer = await createUser("blocked-buyer");
  await emulatorAdmin("POST", `/accounts/${accountId}/charges`, { enabled: false });
  await eventually(async () => ((await stored())?.charges_enabled === 0 ? true : undefined), "charges disabled");
  const refused = await call("POST", `/v1/items/${item.slug}/checkout`, { token: buyer.accessToken, body: {} });
  expect([refused.status, errorCode(refused)]).toEqual([409, "charges_disabled"]);
  expect(
    await countRows("SELECT 1 FROM audit_events WHERE org_id = ? AND action = 'connect.account_updated'", fx.orgId),
  ).toBeGreaterThanOrEqual(1);
  await stripeEventsSettled();
  for (const user of [fx.owner, fx.admin])
    expect(await notificationsOf(user.id, "payout_problem"), user.name).toMatchObject([
      { title: "Stripe paused charges for your account", link: "/dashboard/payouts", org_id: fx.orgId },
    ]);
  expect(await notificationsOf(fx.member.id, "payout_problem")).toEqual([]);

  await emulatorAdmin("POST", `/accounts/${accountId}/charges`, { enabled: true });
  await eventually(async () => ((await stored())?.charges_enabled === 1 ? true : undefined), "charges enabled again");
  await stripeEventsSettled();
  // Getting them back is no problem to tell.
  expect(await notificationsOf(fx.owner.id, "payout_problem")).toHaveLength(1);
  expect((await call("POST", `/v1/items/${item.slug}/checkout`, { token: buyer.accessToken, body: {} })).status).toBe(201);
});

it("a payout.paid Connect event leaves the author's balance once, and an account we do not know is ignored", async () => {
  const accountId = await open(keys(), (await stored())!.account_id_encrypted);
  const payout = (account: string, id: string) =>
    JSON.stringify({
      id: `evt_${crypto.randomUUID().replaceAll("-", "")}`,
      object: "event",
      account,
      api_version: "2026-10-28.endive",
      created: Math.floor(Date.now() / 1000),
      type: "payout.paid",
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      data: { object: { id, object: "payout", amount: 1234, currency: "usd", status: "paid" } },
    });
  const first = payout(accountId, "po_1");
  expect((await signedDelivery(first, { connect: true })).status).toBe(200);
  // The same payout in another event (Stripe may resend) books nothing more.
  await signedDelivery(payout(accountId, "po_1"), { connect: true });
  await signedDelivery(payout("acct_unknown000000000", "po_2"), { connect: true });
  // The Connect endpoint only takes its own secret's signatures.
  const platformSigned = await signedDelivery(payout(accountId, "po_3"), {
    connect: true,
    secret: (env as unknown as { STRIPE_WEBHOOK_SECRET: string }).STRIPE_WEBHOOK_SECRET,
  });
  expect(platformSigned.status).toBe(400);
  await eventually(
    async () => ((await countRows("SELECT 1 FROM stripe_events WHERE status = 'received'")) === 0 ? true : undefined),
    "events processed",
  );
  expect(await countRows("SELECT 1 FROM ledger_entries WHERE account = ? AND type = 'payout'", fx.orgId)).toBe(1);
  const earnings = await call("GET", `/v1/orgs/${fx.orgId}/earnings`, { token: fx.owner.accessToken });
  expect(earnings.body.balances).toContainEqual(expect.objectContaining({ currency: "usd", payouts: 1234 }));
});
