/**
 * Connect problems through the official SDK against the emulator: a payout that fails (the author
 * must fix their bank details) and an author who disconnects Plaza from their Stripe account.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import { insertItem } from "../../test/catalog-fixtures";
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
  unplugStripeWebhooks,
} from "../../test/payments";
import { open } from "../crypto/secret-box";
import worker from "../index";
import { openBody } from "../mail";

const keys = () => (env as unknown as { ENCRYPTION_KEYS: string }).ENCRYPTION_KEYS;

async function accountOf(orgId: string) {
  const row = await env.DB.prepare("SELECT account_id_encrypted FROM connect_accounts WHERE org_id = ?")
    .bind(orgId)
    .first<{ account_id_encrypted: string }>();
  return open(keys(), row!.account_id_encrypted);
}

const status = (fx: OrgFixture) => call("GET", `/v1/orgs/${fx.orgId}/connect`, { token: fx.member.accessToken }).then((r) => r.body);

/** Subjects of the mail to `to` about failed payouts (bodies are stored sealed). */
async function payoutMailsTo(to: string) {
  const { results } = await env.DB.prepare('SELECT subject, text, html, sealed FROM mail_messages WHERE "to" = ?').bind(to).all();
  const opened = await Promise.all(results.map((row) => openBody(env as never, row as never)));
  return opened.filter((m) => /payout of .* failed/.test(m.subject));
}

/** A payout from the account's balance to its bank, settled: Stripe's automatic payouts, emulated. */
const payout = (accountId: string, body: Record<string, unknown>) =>
  emulatorAdmin<{ id: string }>("POST", `/accounts/${accountId}/payouts`, body);

describe("payouts that fail", () => {
  let fx: OrgFixture;
  beforeAll(async () => {
    fx = await orgFixture();
    await onboardSeller(fx.owner, fx.orgId);
  });

  it("payout.failed marks payouts as needing attention with Stripe's reason and notifies the admins once (in-app and by mail); a later paid payout clears it", async () => {
    const accountId = await accountOf(fx.orgId);
    const failed = await payout(accountId, { outcome: "failed", failure_code: "account_closed", amount: 4200 });
    const problem = await eventually(async () => (await status(fx)).payoutProblem ?? undefined, "payouts need attention");
    expect(problem).toEqual({ payoutId: failed.id, code: "account_closed", message: "The bank account has been closed." });
    await stripeEventsSettled();
    const mails = await payoutMailsTo(fx.owner.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toContain("$42.00");
    expect(mails[0]!.text).toContain("The bank account has been closed.");
    expect(mails[0]!.text).toContain("/dashboard/payouts");
    // The org's admins and owners, each by their preference (both by default); not a plain member.
    expect(await payoutMailsTo(fx.admin.email)).toHaveLength(1);
    expect(await payoutMailsTo(fx.member.email)).toHaveLength(0);
    const [notice] = await notificationsOf(fx.admin.id, "payout_problem");
    expect(notice).toMatchObject({ title: "A payout of $42.00 failed", link: "/dashboard/payouts", org_id: fx.orgId });
    expect(notice!.body).toContain("The bank account has been closed.");
    expect(await notificationsOf(fx.member.id, "payout_problem")).toHaveLength(0);

    // Stripe resends the event: nothing more.
    const [event] = (await testStripe().events.list({ type: "payout.failed" }, { stripeAccount: accountId })).data;
    expect((await signedDelivery(JSON.stringify(event), { connect: true })).status).toBe(200);
    await stripeEventsSettled();
    expect(await payoutMailsTo(fx.owner.email)).toHaveLength(1);
    expect(await notificationsOf(fx.owner.id, "payout_problem")).toHaveLength(1);

    await emulatorAdmin("POST", "/clock/advance", { seconds: 60 });
    await payout(accountId, { outcome: "paid", amount: 5000 });
    await eventually(async () => ((await status(fx)).payoutProblem === null ? true : undefined), "the problem cleared by a paid payout");
    expect(await countRows("SELECT 1 FROM ledger_entries WHERE account = ? AND type = 'payout'", fx.orgId)).toBe(1);
  });
});

describe("an author who disconnects Stripe", () => {
  let fx: OrgFixture;
  beforeAll(async () => {
    fx = await orgFixture();
    await onboardSeller(fx.owner, fx.orgId);
  });

  it("takes the org's paid items off sale (checkout refused with seller_disconnected, the storefront says so) until onboarding reconnects", async () => {
    const item = await paidItem(fx.orgId, { model: "one_time", amount: 1500, currency: "usd" });
    const free = await insertItem(fx.orgId, {});
    const buyer = await createUser("disconnected-buyer");
    // Cached before: the disconnection must purge it.
    expect(await call<string>("GET", `/items/${item.slug}`).then((r) => r.body)).toContain(`/buy/${item.slug}`);

    await emulatorAdmin("POST", `/accounts/${await accountOf(fx.orgId)}/deauthorize`, {});
    await eventually(async () => ((await status(fx)).disconnected ? true : undefined), "the org disconnected");
    expect(await countRows("SELECT 1 FROM audit_events WHERE org_id = ? AND action = 'connect.account_deauthorized'", fx.orgId)).toBe(1);

    const refused = await call("POST", `/v1/items/${item.slug}/checkout`, { token: buyer.accessToken, body: {} });
    expect([refused.status, errorCode(refused)]).toEqual([409, "seller_disconnected"]);
    const guest = await call<string>("POST", `/items/${item.slug}/checkout`, {
      rawBody: "email=guest%40example.test",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(guest.status).toBe(409);
    expect(guest.body).toContain("Not available for purchase right now.");
    const page = await call<string>("GET", `/items/${item.slug}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain("Not available for purchase right now.");
    expect(page.body).not.toContain(`/buy/${item.slug}`);
    // Free items stay available.
    expect((await call<string>("GET", `/items/${free.slug}`)).body).toContain(`/get/${free.slug}`);
    const dashboard = await call("POST", `/v1/orgs/${fx.orgId}/connect/dashboard-link`, { token: fx.owner.accessToken });
    expect(errorCode(dashboard)).toBe("seller_disconnected");

    // Reconnecting: onboarding makes a new account (the old one is gone for Plaza).
    const oldAccount = await accountOf(fx.orgId);
    await onboardSeller(fx.owner, fx.orgId);
    expect(await accountOf(fx.orgId)).not.toBe(oldAccount);
    expect(await status(fx)).toMatchObject({ connected: true, chargesEnabled: true, disconnected: false, payoutProblem: null });
    expect((await call("POST", `/v1/items/${item.slug}/checkout`, { token: buyer.accessToken, body: {} })).status).toBe(201);
    expect((await call<string>("GET", `/items/${item.slug}`)).body).toContain(`/buy/${item.slug}`);
  });
});

function shuffle<T>(list: T[]): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = crypto.getRandomValues(new Uint32Array(1))[0]! % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

it("payout and deauthorization events delivered 20 times each, concurrently and shuffled, then reprocessed 20 times, have one effect each", async () => {
  const COPIES = 20;
  const [paying, leaving] = await Promise.all([orgFixture(), orgFixture()]);
  await Promise.all([onboardSeller(paying.owner, paying.orgId), onboardSeller(leaving.owner, leaving.orgId)]);
  // Plaza's Connect endpoint unplugged: the test delivers every event itself.
  await unplugStripeWebhooks("connect");

  const payingAccount = await accountOf(paying.orgId);
  const leavingAccount = await accountOf(leaving.orgId);
  const first = await payout(payingAccount, { outcome: "failed", failure_code: "no_account" });
  await emulatorAdmin("POST", "/clock/advance", { seconds: 60 });
  await payout(payingAccount, { outcome: "paid", amount: 3000 });
  await emulatorAdmin("POST", "/clock/advance", { seconds: 60 });
  const last = await payout(payingAccount, { outcome: "failed", failure_code: "account_frozen" });
  // Plaza cannot read a disconnected account's events any more; the emulator answers the one it sent.
  const { event: deauthorized } = await emulatorAdmin<{ event: Stripe.Event }>("POST", `/accounts/${leavingAccount}/deauthorize`, {});

  const events: Stripe.Event[] = [deauthorized];
  for await (const event of testStripe().events.list({ limit: 100 }, { stripeAccount: payingAccount }))
    if (event.type.startsWith("payout.")) events.push(event);
  expect(new Set(events.map((e) => e.type))).toEqual(
    new Set(["payout.created", "payout.failed", "payout.paid", "account.application.deauthorized"]),
  );

  const copies = shuffle(events.flatMap((event) => Array.from({ length: COPIES }, () => JSON.stringify(event))));
  const answers = await Promise.all(copies.map((payload) => signedDelivery(payload, { connect: true })));
  expect(answers.every((a) => a.status === 200)).toBe(true);
  expect(answers.filter((a) => a.body.duplicate === false)).toHaveLength(events.length);
  await stripeEventsSettled();

  const effects = async () => ({
    problem: (await status(paying)).payoutProblem?.payoutId,
    mails: (await payoutMailsTo(paying.owner.email)).length,
    payoutEntries: await countRows("SELECT 1 FROM ledger_entries WHERE account = ? AND type = 'payout'", paying.orgId),
    disconnected: (await status(leaving)).disconnected,
    deauthorizedAudits: await countRows(
      "SELECT 1 FROM audit_events WHERE org_id = ? AND action = 'connect.account_deauthorized'",
      leaving.orgId,
    ),
  });
  // The newest failure stands (the paid payout cleared only the first); each failed payout mailed once.
  const once = { problem: last.id, mails: 2, payoutEntries: 1, disconnected: true, deauthorizedAudits: 1 };
  expect(await effects()).toEqual(once);
  expect(first.id).not.toBe(last.id);

  // As if every claim were lost: all events back to `received`, consumed by 20 batches at once.
  const ids = events.map((e) => e.id);
  await env.DB.prepare(`UPDATE stripe_events SET status = 'received' WHERE id IN (${ids.map(() => "?").join(",")})`)
    .bind(...ids)
    .run();
  await Promise.all(
    Array.from({ length: COPIES }, async (_, n) => {
      const batch = createMessageBatch(
        "plaza-stripe-events",
        shuffle(ids).map((eventId, i) => ({ id: `m${n}-${i}`, timestamp: new Date(), attempts: 1, body: { eventId } })),
      );
      const ctx = createExecutionContext();
      await worker.queue(batch, env as never);
      expect((await getQueueResult(batch, ctx)).retryMessages).toEqual([]);
    }),
  );
  expect(await effects()).toEqual(once);
});
