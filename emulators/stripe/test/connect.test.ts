import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { admin, advanceClock, EMULATOR_ORIGIN, emulator, emulatorStripe, onboardedAccount } from "./sdk";
import { addReceiver, delivered, drainDeliveries, resetEndpoints, useWebhookReceiver } from "./webhook-receiver";

const stripe = emulatorStripe();
const receiver = useWebhookReceiver();

const newExpressAccount = () =>
  stripe.accounts.create({
    type: "express",
    email: "maker@example.test",
    country: "US",
    capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
    metadata: { plaza_org: "org_1" },
  });

const linkFor = (account: string) =>
  stripe.accountLinks.create({
    account,
    type: "account_onboarding",
    refresh_url: "https://plaza.test/connect/refresh",
    return_url: "https://plaza.test/connect/return",
  });

const post = (url: string) => emulator.fetch(url, { method: "POST", redirect: "manual" });

describe("Express accounts", () => {
  it("creates, retrieves, updates and lists accounts that start unable to take charges", async () => {
    const account = await newExpressAccount();
    expect(account).toMatchObject({
      object: "account",
      type: "express",
      email: "maker@example.test",
      country: "US",
      default_currency: "usd",
      charges_enabled: false,
      payouts_enabled: false,
      details_submitted: false,
      capabilities: { card_payments: "inactive", transfers: "inactive" },
      metadata: { plaza_org: "org_1" },
    });
    expect(account.id).toMatch(/^acct_/);
    expect(account.requirements?.currently_due?.length).toBeGreaterThan(0);

    const updated = await stripe.accounts.update(account.id, { metadata: { plaza_org: "org_2", tier: "pro" } });
    expect(updated.metadata).toEqual({ plaza_org: "org_2", tier: "pro" });
    expect((await stripe.accounts.retrieve(account.id)).metadata).toEqual({ plaza_org: "org_2", tier: "pro" });
    expect((await stripe.accounts.list({ limit: 100 })).data.map((a) => a.id)).toContain(account.id);

    const missing = await stripe.accounts.retrieve("acct_missing").catch((e) => e);
    expect(missing).toMatchObject({ statusCode: 404, code: "resource_missing" });
  });

  it("onboards through the hosted page: account.updated with previous_attributes, then return_url", async () => {
    await resetEndpoints();
    await addReceiver({ path: "connect", connect: true });
    await addReceiver({ path: "platform" });
    const account = await newExpressAccount();
    const link = await linkFor(account.id);
    expect(link).toMatchObject({ object: "account_link", expires_at: link.created + 300 });
    expect(link.url).toMatch(new RegExp(`^${EMULATOR_ORIGIN}/connect/onboarding/`));

    const page = await (await emulator.fetch(link.url)).text();
    expect(page).toContain(account.id);
    expect(page).toContain(">Complete onboarding</button>");

    const done = await post(`${link.url}/complete`);
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("https://plaza.test/connect/return");
    expect(await stripe.accounts.retrieve(account.id)).toMatchObject({
      charges_enabled: true,
      payouts_enabled: true,
      details_submitted: true,
      capabilities: { card_payments: "active", transfers: "active" },
      requirements: { currently_due: [], disabled_reason: null },
    });

    // A connected account's events live in its own event list and go to Connect endpoints only.
    const [event] = (await stripe.events.list({ type: "account.updated" }, { stripeAccount: account.id })).data;
    expect(event).toMatchObject({ account: account.id, data: { object: { id: account.id, charges_enabled: true } } });
    expect(event!.data.previous_attributes).toMatchObject({ charges_enabled: false, details_submitted: false, payouts_enabled: false });
    const webhook = await delivered(receiver, (r) => r.type === "account.updated" && r.object.id === account.id);
    expect(webhook).toMatchObject({ url: "http://receiver.test/connect", account: account.id });
    await drainDeliveries();
    expect(receiver.received.filter((r) => r.url === "http://receiver.test/platform" && r.type === "account.updated")).toEqual([]);

    // Used once: opening or submitting it again starts over at refresh_url.
    const again = await emulator.fetch(link.url, { redirect: "manual" });
    expect(again.status).toBe(302);
    expect(again.headers.get("location")).toBe("https://plaza.test/connect/refresh");
    expect((await post(`${link.url}/complete`)).headers.get("location")).toBe("https://plaza.test/connect/refresh");
  });

  it("sends an expired link (older than 300 s of emulator time) to refresh_url", async () => {
    const account = await newExpressAccount();
    const link = await linkFor(account.id);
    await advanceClock(301);
    const expired = await emulator.fetch(link.url, { redirect: "manual" });
    expect(expired.headers.get("location")).toBe("https://plaza.test/connect/refresh");
    expect((await post(`${link.url}/complete`)).headers.get("location")).toBe("https://plaza.test/connect/refresh");
    expect((await stripe.accounts.retrieve(account.id)).charges_enabled).toBe(false);
  });

  it("lets the user leave onboarding unfinished: return_url, nothing changed", async () => {
    const account = await newExpressAccount();
    const link = await linkFor(account.id);
    const left = await post(`${link.url}/exit`);
    expect(left.headers.get("location")).toBe("https://plaza.test/connect/return");
    expect((await stripe.accounts.retrieve(account.id)).details_submitted).toBe(false);
  });

  it("refuses account links without return and refresh URLs", async () => {
    const account = await newExpressAccount();
    const error = await stripe.accountLinks
      .create({ account: account.id, type: "account_onboarding", refresh_url: "https://plaza.test/r" })
      .catch((e) => e);
    expect(error).toMatchObject({ statusCode: 400, param: "return_url" });
    const unknown = await stripe.accountLinks
      .create({ account: "acct_nope", type: "account_onboarding", refresh_url: "https://plaza.test/r", return_url: "https://plaza.test/x" })
      .catch((e) => e);
    expect(unknown).toMatchObject({ statusCode: 400, code: "resource_missing", param: "account" });
  });

  it("creates login links to the hosted Express dashboard once onboarding is done", async () => {
    const fresh = await newExpressAccount();
    const early = await stripe.accounts.createLoginLink(fresh.id).catch((e) => e);
    expect(early).toMatchObject({ statusCode: 400 });

    const account = await onboardedAccount(stripe);
    const login = await stripe.accounts.createLoginLink(account.id);
    expect(login).toMatchObject({ object: "login_link" });
    expect(login.url).toMatch(new RegExp(`^${EMULATOR_ORIGIN}/connect/express/${account.id}/`));
    const dashboard = await emulator.fetch(login.url);
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toContain("Express dashboard");
  });

  it("simulates Stripe disabling and re-enabling charges with account.updated", async () => {
    const account = await onboardedAccount(stripe);
    const disabled = await admin<Stripe.Account>(`/accounts/${account.id}/charges`, { enabled: false });
    expect(disabled).toMatchObject({ id: account.id, charges_enabled: false, capabilities: { card_payments: "inactive" } });
    const [event] = (await stripe.events.list({ type: "account.updated", limit: 1 }, { stripeAccount: account.id })).data;
    expect(event).toMatchObject({ account: account.id, data: { previous_attributes: { charges_enabled: true } } });

    const enabled = await admin<Stripe.Account>(`/accounts/${account.id}/charges`, { enabled: true });
    expect(enabled.charges_enabled).toBe(true);
  });
});

describe("destination charges", () => {
  const sessionWith = async (destination: string) => {
    const product = await stripe.products.create({ name: "Plugin" });
    const price = await stripe.prices.create({ product: product.id, currency: "usd", unit_amount: 1000 });
    return stripe.checkout.sessions.create({
      mode: "payment",
      line_items: [{ price: price.id, quantity: 1 }],
      success_url: "https://plaza.test/ok",
      payment_intent_data: { application_fee_amount: 100, transfer_data: { destination } },
    });
  };

  it("refuses an unknown destination, naming the param", async () => {
    const error = await sessionWith("acct_madeup").catch((e) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({
      statusCode: 400,
      code: "resource_missing",
      param: "payment_intent_data[transfer_data][destination]",
      message: "No such destination: 'acct_madeup'",
    });
  });

  it("refuses a destination that cannot take charges, at creation and at payment", async () => {
    const fresh = await newExpressAccount();
    const error = await sessionWith(fresh.id).catch((e) => e);
    expect(error).toMatchObject({
      statusCode: 400,
      type: "StripeInvalidRequestError",
      param: "payment_intent_data[transfer_data][destination]",
    });
    expect(error.message).toContain("cannot take charges");

    const author = await onboardedAccount(stripe);
    const session = await sessionWith(author.id);
    await admin(`/accounts/${author.id}/charges`, { enabled: false });
    const paid = await post(`${EMULATOR_ORIGIN}/checkout/${session.id}/pay`);
    expect(paid.status).toBe(400);
    expect(await paid.text()).toContain("cannot take charges");
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe("open");
  });
});

describe("the Stripe-Account header", () => {
  it("acts as the connected account: its own objects and events, which carry `account`", async () => {
    await resetEndpoints();
    await addReceiver({ path: "connect", connect: true });
    await addReceiver({ path: "platform" });
    const account = await onboardedAccount(stripe);
    const customer = await stripe.customers.create({ email: "direct@example.test" }, { stripeAccount: account.id });
    expect((await stripe.customers.retrieve(customer.id, {}, { stripeAccount: account.id })).id).toBe(customer.id);
    const fromPlatform = await stripe.customers.retrieve(customer.id).catch((e) => e);
    expect(fromPlatform).toMatchObject({ statusCode: 404, code: "resource_missing" });

    const [event] = (await stripe.events.list({ type: "customer.created", limit: 1 }, { stripeAccount: account.id })).data;
    expect(event).toMatchObject({ account: account.id, data: { object: { id: customer.id } } });
    const webhook = await delivered(receiver, (r) => r.type === "customer.created" && r.object.id === customer.id);
    expect(webhook).toMatchObject({ url: "http://receiver.test/connect", account: account.id });

    const platformCustomer = await stripe.customers.create({ email: "platform@example.test" });
    const platformHook = await delivered(receiver, (r) => r.object.id === platformCustomer.id);
    expect(platformHook.url).toBe("http://receiver.test/platform");
    expect(platformHook.account).toBeUndefined();
    await drainDeliveries();
    expect(receiver.received.filter((r) => r.object.id === platformCustomer.id && r.url.endsWith("/connect"))).toEqual([]);

    expect((await stripe.accounts.retrieveCurrent({}, { stripeAccount: account.id })).id).toBe(account.id);
  });

  it("runs a direct charge through the hosted Checkout page in the connected account", async () => {
    const account = await onboardedAccount(stripe);
    const as = { stripeAccount: account.id };
    const product = await stripe.products.create({ name: "Direct" }, as);
    const price = await stripe.prices.create({ product: product.id, currency: "usd", unit_amount: 800 }, as);
    const session = await stripe.checkout.sessions.create(
      {
        mode: "payment",
        line_items: [{ price: price.id, quantity: 1 }],
        success_url: "https://author.test/ok",
        payment_intent_data: { application_fee_amount: 80 },
      },
      as,
    );
    const pay = await post(`${EMULATOR_ORIGIN}/checkout/${session.id}/pay`);
    expect(pay.headers.get("location")).toBe("https://author.test/ok");
    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ["payment_intent"] }, as);
    expect(done).toMatchObject({ status: "complete", payment_intent: { application_fee_amount: 80, transfer_data: null } });
    const [event] = (await stripe.events.list({ type: "checkout.session.completed", limit: 1 }, as)).data;
    expect(event).toMatchObject({ account: account.id, data: { object: { id: session.id } } });
    expect((await stripe.checkout.sessions.retrieve(session.id).catch((e) => e)).statusCode).toBe(404);
  });

  it("refuses an account the platform does not have", async () => {
    const error = await stripe.customers.list({}, { stripeAccount: "acct_stranger" }).catch((e) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripePermissionError);
    expect(error).toMatchObject({ statusCode: 403, code: "account_invalid" });
  });
});
