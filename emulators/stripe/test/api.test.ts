import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { decodeFormString, splitKey } from "../src/form";
import { admin, EMULATOR_ORIGIN, emulator, emulatorStripe } from "./sdk";
import { delivered, drainDeliveries, resetEndpoints, useWebhookReceiver } from "./webhook-receiver";

const stripe = emulatorStripe();
const cryptoProvider = Stripe.createSubtleCryptoProvider();
const receiver = useWebhookReceiver();

describe("customers, products and prices through the official SDK", () => {
  it("creates, retrieves, updates and lists customers", async () => {
    const created = await stripe.customers.create({ email: "ada@example.test", name: "Ada", metadata: { plaza_user: "usr_1" } });
    expect(created).toMatchObject({ object: "customer", email: "ada@example.test", name: "Ada", metadata: { plaza_user: "usr_1" } });
    expect(created.id).toMatch(/^cus_/);

    const updated = await stripe.customers.update(created.id, { name: "Ada L.", metadata: { plaza_user: "", tier: "gold" } });
    expect(updated.name).toBe("Ada L.");
    expect(updated.metadata).toEqual({ tier: "gold" });
    expect((await stripe.customers.retrieve(created.id)) as Stripe.Customer).toMatchObject({ name: "Ada L." });

    const byEmail = await stripe.customers.list({ email: "ada@example.test" });
    expect(byEmail.data.map((c) => c.id)).toEqual([created.id]);
  });

  it("creates one-time, recurring and metered prices", async () => {
    const product = await stripe.products.create({ name: "Plugin Pro" });
    expect(product.id).toMatch(/^prod_/);
    const oneTime = await stripe.prices.create({ product: product.id, currency: "usd", unit_amount: 1500 });
    expect(oneTime).toMatchObject({ type: "one_time", unit_amount: 1500, currency: "usd", recurring: null, product: product.id });
    const monthly = await stripe.prices.create({
      product: product.id,
      currency: "eur",
      unit_amount: 900,
      recurring: { interval: "month" },
    });
    expect(monthly).toMatchObject({ type: "recurring", recurring: { interval: "month", interval_count: 1, usage_type: "licensed" } });
    const meter = await stripe.billing.meters.create({
      display_name: "Price test calls",
      event_name: "price_test_calls",
      default_aggregation: { formula: "sum" },
    });
    const metered = await stripe.prices.create({
      product: product.id,
      currency: "usd",
      unit_amount: 2,
      recurring: { interval: "month", usage_type: "metered", meter: meter.id },
    });
    expect(metered.recurring).toMatchObject({ usage_type: "metered", meter: meter.id });
    const meterless = await stripe.prices
      .create({ product: product.id, currency: "usd", unit_amount: 2, recurring: { interval: "month", usage_type: "metered" } })
      .catch((e) => e);
    expect(meterless).toMatchObject({ statusCode: 400, param: "recurring[meter]" });

    const recurringOnly = await stripe.prices.list({ product: product.id, type: "recurring" });
    expect(recurringOnly.data.map((p) => p.id)).toEqual([metered.id, monthly.id]);

    const expanded = await stripe.prices.retrieve(oneTime.id, { expand: ["product"] });
    expect((expanded.product as Stripe.Product).name).toBe("Plugin Pro");
  });

  it("pages lists newest first with starting_after and ending_before", async () => {
    const product = await stripe.products.create({ name: "Paged" });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await stripe.prices.create({ product: product.id, currency: "usd", unit_amount: i + 1 })).id);
    const newestFirst = [...ids].reverse();

    const first = await stripe.prices.list({ product: product.id, limit: 2 });
    expect(first).toMatchObject({ object: "list", has_more: true, url: "/v1/prices" });
    expect(first.data.map((p) => p.id)).toEqual(newestFirst.slice(0, 2));
    const second = await stripe.prices.list({ product: product.id, limit: 2, starting_after: first.data[1]!.id });
    expect(second.data.map((p) => p.id)).toEqual(newestFirst.slice(2, 4));
    const last = await stripe.prices.list({ product: product.id, limit: 2, starting_after: second.data[1]!.id });
    expect(last.data.map((p) => p.id)).toEqual(newestFirst.slice(4));
    expect(last.has_more).toBe(false);
    const back = await stripe.prices.list({ product: product.id, limit: 2, ending_before: second.data[0]!.id });
    expect(back.data.map((p) => p.id)).toEqual(newestFirst.slice(0, 2));

    const all: string[] = [];
    for await (const price of stripe.prices.list({ product: product.id, limit: 2 })) all.push(price.id);
    expect(all).toEqual(newestFirst);
  });
});

describe("Stripe's wire behaviour", () => {
  it("replays a request with the same Idempotency-Key and params, and refuses different params", async () => {
    const key = `idem-${crypto.randomUUID()}`;
    const first = await stripe.customers.create({ email: "same@example.test" }, { idempotencyKey: key });
    const again = await stripe.customers.create({ email: "same@example.test" }, { idempotencyKey: key });
    expect(again.id).toBe(first.id);
    expect((await stripe.customers.list({ email: "same@example.test" })).data).toHaveLength(1);

    const error = await stripe.customers.create({ email: "other@example.test" }, { idempotencyKey: key }).catch((e) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(error.type).toBe("StripeIdempotencyError");
  });

  it("reports invalid params as StripeInvalidRequestError with the failing param", async () => {
    const missing = await stripe.products.create({} as Stripe.ProductCreateParams).catch((e) => e);
    expect(missing).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(missing).toMatchObject({ statusCode: 400, param: "name", message: "Missing required param: name." });

    const badInteger = await stripe.prices
      .create({ product: "prod_x", currency: "usd", unit_amount: "ten" as unknown as number })
      .catch((e) => e);
    expect(badInteger).toMatchObject({ statusCode: 400, param: "unit_amount" });

    const unknown = await stripe.customers.create({ colour: "blue" } as Stripe.CustomerCreateParams).catch((e) => e);
    expect(unknown).toMatchObject({ param: "colour", message: "Received unknown parameter: colour" });
  });

  it("answers a missing object with 404 resource_missing", async () => {
    const error = await stripe.customers.retrieve("cus_nope").catch((e) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 404, code: "resource_missing", message: "No such customer: 'cus_nope'" });
  });

  it("requires a test-mode secret key", async () => {
    const noKey = await emulator.fetch(`${EMULATOR_ORIGIN}/v1/customers`);
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({ error: { type: "authentication_error" } });

    const live = new Stripe("sk_live_real", {
      httpClient: Stripe.createFetchHttpClient((input, init) => emulator.fetch(new Request(input as string, init))),
      protocol: "http",
      host: "stripe.emulator",
      port: 80,
    });
    const error = await live.customers.list().catch((e) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
  });
});

describe("webhook endpoints API", () => {
  it("creates (with the secret, once), retrieves, lists, updates and deletes endpoints", async () => {
    await resetEndpoints();
    const created = await stripe.webhookEndpoints.create({
      url: "http://receiver.test/api-endpoint",
      enabled_events: ["customer.created", "invoice.paid"],
      description: "Plaza",
    });
    expect(created).toMatchObject({
      object: "webhook_endpoint",
      url: "http://receiver.test/api-endpoint",
      enabled_events: ["customer.created", "invoice.paid"],
      status: "enabled",
      description: "Plaza",
    });
    expect(created.id).toMatch(/^we_/);
    expect(created.secret).toMatch(/^whsec_/);

    const retrieved = await stripe.webhookEndpoints.retrieve(created.id);
    expect(retrieved.secret).toBeUndefined();
    expect((await stripe.webhookEndpoints.list()).data.map((e) => e.id)).toEqual([created.id]);
    const updated = await stripe.webhookEndpoints.update(created.id, { enabled_events: ["*"] });
    expect(updated.enabled_events).toEqual(["*"]);

    expect(await stripe.webhookEndpoints.del(created.id)).toEqual({ id: created.id, object: "webhook_endpoint", deleted: true });
    const gone = await stripe.webhookEndpoints.retrieve(created.id).catch((e) => e);
    expect(gone).toMatchObject({ statusCode: 404, code: "resource_missing" });
  });

  it("sends only the enabled events, signed with the endpoint's secret", async () => {
    await resetEndpoints();
    const endpoint = await stripe.webhookEndpoints.create({ url: "http://receiver.test/filtered", enabled_events: ["product.created"] });
    await stripe.customers.create({ email: "skipped@example.test" });
    const product = await stripe.products.create({ name: "Sent" });
    const hook = await delivered(receiver, (r) => r.object.id === product.id);
    const event = await stripe.webhooks.constructEventAsync(hook.body, hook.signature, endpoint.secret!, undefined, cryptoProvider);
    expect(event.type).toBe("product.created");
    await drainDeliveries();
    expect(receiver.received.map((r) => r.type)).toEqual(["product.created"]);
  });

  it("registers admin endpoints with a connect flag and event filter", async () => {
    await resetEndpoints();
    const endpoint = await admin<{ id: string; connect: boolean; enabled_events: string[] }>("/webhook_endpoints", {
      url: "http://receiver.test/connect-admin",
      connect: true,
      enabled_events: ["account.updated"],
    });
    expect(endpoint).toMatchObject({ connect: true, enabled_events: ["account.updated"] });
    const { data } = await admin<{ data: { id: string; connect: boolean }[] }>("/webhook_endpoints");
    expect(data).toEqual([expect.objectContaining({ id: endpoint.id, connect: true })]);
    const platformOnly = await stripe.webhookEndpoints.create({ url: "http://receiver.test/p", enabled_events: ["*"] });
    const connect = await stripe.webhookEndpoints.create({ url: "http://receiver.test/c", enabled_events: ["*"], connect: true });
    const listed = await admin<{ data: { id: string; connect: boolean }[] }>("/webhook_endpoints");
    expect(listed.data.find((e) => e.id === platformOnly.id)?.connect).toBe(false);
    expect(listed.data.find((e) => e.id === connect.id)?.connect).toBe(true);
  });
});

describe("form decoding", () => {
  it("splits bracketed keys", () => {
    expect(splitKey("line_items[0][price]")).toEqual(["line_items", "0", "price"]);
    expect(splitKey("expand[]")).toEqual(["expand", ""]);
    expect(splitKey("email")).toEqual(["email"]);
  });

  it("builds nested objects and arrays, keeping values as strings", () => {
    const body =
      "mode=payment&line_items[0][price]=price_1&line_items[0][quantity]=2&line_items[1][price]=price_2" +
      "&metadata[order]=42&payment_intent_data[transfer_data][destination]=acct_1&expand[]=customer&expand[]=payment_intent";
    expect(decodeFormString(body)).toEqual({
      mode: "payment",
      line_items: [{ price: "price_1", quantity: "2" }, { price: "price_2" }],
      metadata: { order: "42" },
      payment_intent_data: { transfer_data: { destination: "acct_1" } },
      expand: ["customer", "payment_intent"],
    });
  });

  it("decodes percent-encoded brackets and values, and compacts sparse indices", () => {
    expect(decodeFormString("a%5B0%5D=x%20y&a%5B2%5D=z&email=a%2Bb%40c.test")).toEqual({
      a: ["x y", "z"],
      email: "a+b@c.test",
    });
  });
});
