import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { emulator, EMULATOR_ORIGIN, emulatorStripe } from "./sdk";

const stripe = emulatorStripe();

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
    const monthly = await stripe.prices.create({ product: product.id, currency: "eur", unit_amount: 900, recurring: { interval: "month" } });
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
