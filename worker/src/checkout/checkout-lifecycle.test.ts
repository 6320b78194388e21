/**
 * A checkout that is never paid: Stripe expires its session (24 hours, or `sessions.expire`), or
 * its asynchronous payment (a bank debit) fails later. Plaza closes the checkout (`expired`,
 * `failed`), fulfils nothing, and a maintenance job closes what Stripe never reported.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createUser, type OrgFixture, orgFixture, type TestUser } from "../../test/fixtures";
import { call } from "../../test/http";
import { JOBS, jobContext, runJobs } from "../../test/jobs";
import {
  countRows,
  emulatorAdmin,
  eventually,
  onboardSeller,
  paidItem,
  signedDelivery,
  stripeEventsSettled,
  submitHostedForm,
  testStripe,
} from "../../test/payments";
import { SESSION_LIFETIME_MS } from "./jobs";

let fx: OrgFixture;
let slug: string;
beforeAll(async () => {
  fx = await orgFixture();
  await onboardSeller(fx.owner, fx.orgId);
  slug = (await paidItem(fx.orgId, { model: "one_time", amount: 1200, currency: "usd" })).slug;
});

/** Opens a checkout as `buyer`: its id, hosted page and Stripe session. */
async function openCheckout(buyer: TestUser) {
  const res = await call("POST", `/v1/items/${slug}/checkout`, { token: buyer.accessToken, body: {} });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const row = await env.DB.prepare("SELECT session_id FROM checkouts WHERE id = ?")
    .bind(res.body.checkoutId)
    .first<{ session_id: string }>();
  return { checkoutId: res.body.checkoutId as string, url: res.body.url as string, sessionId: row!.session_id };
}

const statusOf = async (checkoutId: string) => (await call("GET", `/v1/checkouts/${checkoutId}`)).body.status as string;
const checkoutBecomes = (checkoutId: string, status: string) =>
  eventually(async () => ((await statusOf(checkoutId)) === status ? true : undefined), `checkout ${status}`);
const fulfilled = async (buyer: TestUser) => ({
  orders: await countRows("SELECT 1 FROM orders WHERE user_id = ?", buyer.id),
  entitlements: await countRows("SELECT 1 FROM entitlements WHERE user_id = ?", buyer.id),
  licenses: await countRows("SELECT 1 FROM licenses WHERE user_id = ?", buyer.id),
});
const nothing = { orders: 0, entitlements: 0, licenses: 0 };
const failedMails = (buyer: TestUser) =>
  countRows(`SELECT 1 FROM mail_messages WHERE "to" = ? AND subject LIKE 'Your payment for % did not go through'`, buyer.email);

/** The emulator's asynchronous payment method: the buyer pays with it, later the bank answers. */
const payAsync = (sessionId: string) => emulatorAdmin("POST", `/checkout/sessions/${sessionId}/pay_async`, {});
const asyncOutcome = (sessionId: string, succeed: boolean) =>
  emulatorAdmin("POST", `/checkout/sessions/${sessionId}/async_payment`, { succeed });

/** A Stripe event for `sessionId` as a stale or forged copy would carry it, delivered signed. */
const deliverSessionEvent = (type: string, session: object) =>
  signedDelivery(
    JSON.stringify({ id: `evt_${crypto.randomUUID().replaceAll("-", "")}`, object: "event", type, created: 1, data: { object: session } }),
  );

describe("an expired checkout", () => {
  it("checkout.session.expired closes the checkout as expired; the hosted page takes no payment and nothing is fulfilled", async () => {
    const buyer = await createUser("expired");
    const { checkoutId, url, sessionId } = await openCheckout(buyer);
    const expired = await testStripe().checkout.sessions.expire(sessionId);
    expect(expired.status).toBe("expired");
    await checkoutBecomes(checkoutId, "expired");
    expect((await call("GET", `/v1/checkouts/${checkoutId}`)).body).toMatchObject({ status: "expired", orderId: null, licenseKey: null });

    // The success link says so, offers to buy again, and stops waiting for an order.
    const page = await call<string>("GET", `/checkout/success?checkout=${checkoutId}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain("<h1>Checkout expired</h1>");
    expect(page.body).toContain(`href="/items/${slug}#buy"`);
    expect(page.body).not.toContain('http-equiv="refresh"');

    const pay = await fetch(`${url}/pay`, { method: "POST", redirect: "manual" });
    expect(pay.status).toBe(400);
    await stripeEventsSettled();
    expect(await fulfilled(buyer)).toEqual(nothing);
    expect(await failedMails(buyer)).toBe(0);
    // The buyer may start again: a new checkout opens.
    expect((await call("POST", `/v1/items/${slug}/checkout`, { token: buyer.accessToken, body: {} })).status).toBe(201);
  });

  it("a late or forged checkout.session.completed after the expiry resurrects nothing: Stripe never completes an expired session", async () => {
    const buyer = await createUser("late-completed");
    const { checkoutId, sessionId } = await openCheckout(buyer);
    const expired = await testStripe().checkout.sessions.expire(sessionId);
    await checkoutBecomes(checkoutId, "expired");
    const late = await deliverSessionEvent("checkout.session.completed", { ...expired, status: "complete", payment_status: "paid" });
    expect(late.status).toBe(200);
    await stripeEventsSettled();
    expect(await statusOf(checkoutId)).toBe("expired");
    expect(await fulfilled(buyer)).toEqual(nothing);
  });

  it("a forged checkout.session.expired for a paid session closes nothing: the session as Stripe has it decides", async () => {
    const buyer = await createUser("paid-not-expired");
    const { checkoutId, url, sessionId } = await openCheckout(buyer);
    await submitHostedForm(url, "pay");
    await checkoutBecomes(checkoutId, "complete");
    const session = await testStripe().checkout.sessions.retrieve(sessionId);
    await deliverSessionEvent("checkout.session.expired", { ...session, status: "expired" });
    await stripeEventsSettled();
    expect(await statusOf(checkoutId)).toBe("complete");
    expect((await fulfilled(buyer)).orders).toBe(1);
  });
});

describe("an asynchronous payment", () => {
  it("that fails: the checkout stays open while the debit is pending, then is failed, and nothing is fulfilled", async () => {
    const buyer = await createUser("async-failed");
    const { checkoutId, sessionId } = await openCheckout(buyer);
    await payAsync(sessionId);
    await stripeEventsSettled();
    // Completed but unpaid: the order waits for the bank.
    expect(await statusOf(checkoutId)).toBe("open");
    await asyncOutcome(sessionId, false);
    await checkoutBecomes(checkoutId, "failed");
    expect((await call<string>("GET", `/checkout/success?checkout=${checkoutId}`)).body).toContain("<h1>Payment failed</h1>");
    await stripeEventsSettled();
    expect(await fulfilled(buyer)).toEqual(nothing);
    // The buyer is told once, even when Stripe sends the event again.
    const failedEvent = (await testStripe().events.list({ type: "checkout.session.async_payment_failed" })).data.find(
      (e) => (e.data.object as { id: string }).id === sessionId,
    )!;
    await deliverSessionEvent("checkout.session.async_payment_failed", failedEvent.data.object);
    await stripeEventsSettled();
    expect(await failedMails(buyer)).toBe(1);
    const handled = await env.DB.prepare(
      "SELECT status FROM stripe_events WHERE type = 'checkout.session.async_payment_failed' AND json_extract(payload, '$.data.object.id') = ?",
    )
      .bind(sessionId)
      .first<{ status: string }>();
    expect(handled?.status).toBe("processed");
  });

  it("that succeeds: async_payment_succeeded fulfils the order once", async () => {
    const buyer = await createUser("async-paid");
    const { checkoutId, sessionId } = await openCheckout(buyer);
    await payAsync(sessionId);
    await stripeEventsSettled();
    expect(await fulfilled(buyer)).toEqual(nothing);
    await asyncOutcome(sessionId, true);
    await checkoutBecomes(checkoutId, "complete");
    expect(await fulfilled(buyer)).toEqual({ orders: 1, entitlements: 1, licenses: 1 });
  });
});

describe("the expire-abandoned-checkouts job", () => {
  const JOB = "expire-abandoned-checkouts";
  const backdate = (checkoutId: string, ms: number) =>
    env.DB.prepare("UPDATE checkouts SET created_at = ? WHERE id = ?")
      .bind(Date.now() - ms, checkoutId)
      .run();

  it("expires at Stripe what Stripe never reported, closes it, logs its run, and a second run does nothing", async () => {
    const buyer = await createUser("abandoned");
    const abandoned = await openCheckout(buyer);
    const recent = await openCheckout(await createUser("recent"));
    await backdate(abandoned.checkoutId, SESSION_LIFETIME_MS + 2 * 3_600_000);

    const now = Date.now();
    expect((await runJobs(now, env, { [JOB]: JOBS[JOB]! }))[JOB]).toEqual({ status: "succeeded", processed: 1 });
    expect(await statusOf(abandoned.checkoutId)).toBe("expired");
    expect((await testStripe().checkout.sessions.retrieve(abandoned.sessionId)).status).toBe("expired");
    expect(await statusOf(recent.checkoutId)).toBe("open");
    expect((await testStripe().checkout.sessions.retrieve(recent.sessionId)).status).toBe("open");
    const run = await env.DB.prepare("SELECT status, processed FROM job_runs WHERE job = ? AND scheduled_at = ?").bind(JOB, now).first();
    expect(run).toEqual({ status: "succeeded", processed: 1 });

    // Stripe's checkout.session.expired for it then finds the checkout closed; the next tick has nothing to do.
    await stripeEventsSettled();
    expect((await runJobs(now + 60_000, env, { [JOB]: JOBS[JOB]! }))[JOB]).toEqual({ status: "succeeded", processed: 0 });
    expect(await fulfilled(buyer)).toEqual(nothing);
  });

  it("closes a session Stripe already expired (its event lost) without asking to expire it again, a batch at a time", async () => {
    const first = await openCheckout(await createUser("lost-event-1"));
    const second = await openCheckout(await createUser("lost-event-2"));
    for (const { checkoutId, sessionId } of [first, second]) {
      await testStripe().checkout.sessions.expire(sessionId);
      await checkoutBecomes(checkoutId, "expired");
    }
    await stripeEventsSettled();
    // As if the events had been lost: the checkouts still open, their sessions expired at Stripe.
    await env.DB.prepare("UPDATE checkouts SET status = 'open' WHERE id IN (?, ?)").bind(first.checkoutId, second.checkoutId).run();
    for (const { checkoutId } of [first, second]) await backdate(checkoutId, SESSION_LIFETIME_MS + 2 * 3_600_000);
    expect(await statusOf(first.checkoutId)).toBe("open");

    const job = JOBS[JOB]!;
    expect(await job(jobContext(env, Date.now(), 1))).toBe(1);
    expect(await job(jobContext(env, Date.now(), 1))).toBe(1);
    expect(await job(jobContext(env, Date.now(), 1))).toBe(0);
    expect([await statusOf(first.checkoutId), await statusOf(second.checkoutId)]).toEqual(["expired", "expired"]);
  });
});
