import { describe, expect, it } from "vitest";
import { admin, advanceClock, emulatorStripe, onboardedAccount } from "./sdk";
import { addReceiver, delivered, drainDeliveries, resetEndpoints, useWebhookReceiver } from "./webhook-receiver";

const stripe = emulatorStripe();
const receiver = useWebhookReceiver();

describe("a connected account's payouts", () => {
  it("pays out or fails with Stripe's failure code and message: payout.created then payout.paid / payout.failed, to Connect endpoints", async () => {
    await resetEndpoints();
    await addReceiver({ path: "connect", connect: true });
    await addReceiver({ path: "platform" });
    const account = await onboardedAccount(stripe);
    const paid = await admin<{ id: string }>(`/accounts/${account.id}/payouts`, { outcome: "paid", amount: 2500, currency: "usd" });
    await advanceClock(60);
    const failed = await admin<{ id: string }>(`/accounts/${account.id}/payouts`, { outcome: "failed", failure_code: "no_account" });

    const asAccount = { stripeAccount: account.id };
    expect(await stripe.payouts.retrieve(paid.id, {}, asAccount)).toMatchObject({
      object: "payout",
      amount: 2500,
      currency: "usd",
      status: "paid",
      failure_code: null,
      automatic: true,
    });
    const failure = await stripe.payouts.retrieve(failed.id, {}, asAccount);
    expect(failure).toMatchObject({ status: "failed", failure_code: "no_account", amount: 1000 });
    expect(failure.failure_message).toMatch(/No bank account could be located/);
    expect(failure.created).toBeGreaterThan((await stripe.payouts.retrieve(paid.id, {}, asAccount)).created);
    expect((await stripe.payouts.list({ status: "failed" }, asAccount)).data.map((p) => p.id)).toEqual([failed.id]);
    // The platform does not see a connected account's payouts.
    expect(await stripe.payouts.retrieve(failed.id).catch((e) => e)).toMatchObject({ statusCode: 404, code: "resource_missing" });

    const types = (await stripe.events.list({}, asAccount)).data.map((e) => e.type);
    expect(types.slice(0, 4)).toEqual(["payout.failed", "payout.created", "payout.paid", "payout.created"]);
    const created = (await stripe.events.list({ type: "payout.created" }, asAccount)).data[0]!;
    expect(created.data.object).toMatchObject({ id: failed.id, status: "pending", failure_code: null });
    const webhook = await delivered(receiver, (r) => r.type === "payout.failed" && r.object.id === failed.id);
    expect(webhook).toMatchObject({ url: "http://receiver.test/connect", account: account.id });
    await drainDeliveries();
    expect(receiver.received.filter((r) => r.url === "http://receiver.test/platform" && r.type.startsWith("payout."))).toEqual([]);
  });

  it("refuses an unknown outcome or failure code, and an unknown account", async () => {
    const account = await onboardedAccount(stripe);
    await expect(admin(`/accounts/${account.id}/payouts`, { outcome: "lost" })).rejects.toThrow(/400/);
    await expect(admin(`/accounts/${account.id}/payouts`, { outcome: "failed", failure_code: "nope" })).rejects.toThrow(/400/);
    await expect(admin("/accounts/acct_missing/payouts", { outcome: "paid" })).rejects.toThrow(/404/);
  });
});

describe("deauthorization", () => {
  it("sends account.application.deauthorized (the application as data.object) and the platform loses access", async () => {
    await resetEndpoints();
    await addReceiver({ path: "connect", connect: true });
    const account = await onboardedAccount(stripe);
    await admin(`/accounts/${account.id}/deauthorize`, {});

    const webhook = await delivered(receiver, (r) => r.type === "account.application.deauthorized" && r.account === account.id);
    expect(webhook.url).toBe("http://receiver.test/connect");
    expect(webhook.object).toMatchObject({ object: "application", name: expect.any(String) });
    expect(webhook.object.id).toMatch(/^ca_/);
    // Stripe's answer for an account that revoked the platform's access.
    const refused = { statusCode: 403, code: "account_invalid" };
    expect(await stripe.accounts.retrieve(account.id).catch((e) => e)).toMatchObject(refused);
    expect(await stripe.payouts.list({}, { stripeAccount: account.id }).catch((e) => e)).toMatchObject(refused);
  });
});
