/**
 * Sales tax with Stripe Tax (`TAX_COLLECTION=automatic`), through the official SDK against the
 * emulator: Checkout asks for the billing country, adds the country's rate on top of the price,
 * and Plaza keeps the tax on the order, the receipt and in its own ledger entry, with the platform
 * fee on the pre-tax price; a subscription's invoices likewise, each refunding the tax's share of
 * Stripe's percentage fee to the author. Only the checkout request runs with tax on: fulfillment reads the tax
 * from the paid session, whatever the setting is by then.
 */
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type Stripe from "stripe";
import { beforeAll, expect, it } from "vitest";
import { createOrg, createUser, sentReceiptTo, type TestUser } from "../../test/fixtures";
import { call } from "../../test/http";
import { emulatorAdmin, eventually, onboardSeller, ordersOf, paidItem, stripeEventsSettled, testStripe } from "../../test/payments";
import worker from "../index";

let owner: TestUser;
let orgId: string;
let slug: string;
beforeAll(async () => {
  owner = await createUser("tax-owner");
  orgId = (await createOrg(owner)).id;
  await onboardSeller(owner, orgId);
  slug = (await paidItem(orgId, { model: "one_time", amount: 1900, currency: "eur" })).slug;
});

/** `POST /v1/items/{slug}/checkout` as `buyer`, with the operator's tax switch on for this request. */
async function taxedCheckout(buyer: TestUser, itemSlug = slug) {
  const res = await worker.fetch!(
    new Request(`http://plaza.test/v1/items/${itemSlug}/checkout`, {
      method: "POST",
      headers: { authorization: `Bearer ${buyer.accessToken}`, "content-type": "application/json", "cf-connecting-ip": "203.0.113.9" },
      body: "{}",
    }) as Request<unknown, IncomingRequestCfProperties>,
    { ...env, TAX_COLLECTION: "automatic" },
    createExecutionContext(),
  );
  expect(res.status).toBe(201);
  return (await res.json()) as { checkoutId: string; url: string; amount: number };
}

/** Presses Pay on the hosted page with these billing fields. */
const pay = (url: string, form: Record<string, string>) =>
  fetch(`${url}/pay`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString(),
  });

const orderOf = (buyer: TestUser) =>
  eventually(async () => (await call("GET", "/v1/me/orders", { token: buyer.accessToken })).body.data[0], "the order");

it("a buyer in Germany pays 19 % VAT on top: the order, receipt and ledger show it; the fee is on the pre-tax price", async () => {
  const buyer = await createUser("tax-buyer-de");
  const checkout = await taxedCheckout(buyer);
  expect(checkout.amount).toBe(1900);
  const sessionId = new URL(checkout.url).pathname.split("/").pop()!;
  const stripe = testStripe();
  const session = await stripe.checkout.sessions.retrieve(sessionId);
  expect(session).toMatchObject({
    automatic_tax: { enabled: true, status: "requires_location_inputs", liability: { type: "account" } },
    billing_address_collection: "required",
    tax_id_collection: { enabled: true },
    amount_total: 1900,
  });

  // The hosted page asks for the country first, and takes no payment without it.
  expect(await (await fetch(checkout.url)).text()).toContain('name="country"');
  expect((await pay(checkout.url, {})).status).toBe(400);
  expect((await pay(checkout.url, { country: "DE", tax_id: "DE123456789" })).status).toBe(303);

  const paid = await stripe.checkout.sessions.retrieve(sessionId, { expand: ["payment_intent", "total_details.breakdown"] });
  expect(paid).toMatchObject({
    amount_subtotal: 1900,
    amount_total: 2261,
    total_details: { amount_tax: 361 },
    automatic_tax: { status: "complete" },
    customer_details: { address: { country: "DE" }, tax_ids: [{ type: "eu_vat", value: "DE123456789" }] },
  });
  expect(paid.total_details?.breakdown?.taxes[0]?.rate.percentage).toBe(19);
  // Plaza's fee is 10 % + 30 of the 19.00 before tax; the rest, tax included, goes to the author.
  expect(paid.payment_intent as Stripe.PaymentIntent).toMatchObject({ amount: 2261, application_fee_amount: 220 });

  await stripeEventsSettled();
  const order = await orderOf(buyer);
  // The success page's status shows what was charged once the order exists.
  expect((await call("GET", `/v1/checkouts/${checkout.checkoutId}`)).body).toMatchObject({ status: "complete", amount: 2261 });
  expect(order).toMatchObject({
    amount: 2261,
    feeAmount: 220,
    currency: "eur",
    tax: { amount: 361, percentage: 19, country: "DE", taxId: "DE123456789" },
  });

  // The author's systems hear of the tax they are to remit.
  const created = await env.DB.prepare("SELECT payload FROM webhook_events WHERE org_id = ? AND type = 'order.created'")
    .bind(orgId)
    .first<{ payload: string }>();
  expect(JSON.parse(created!.payload).data).toMatchObject({ id: order.id, amount: 2261, taxAmount: 361 });

  const receipt = await sentReceiptTo(buyer.email);
  expect(receipt.text).toContain("Subtotal €19.00, tax 19 % (DE) €3.61, total €22.61. Your tax ID: DE123456789.");

  const earnings = await call("GET", `/v1/orgs/${orgId}/earnings`, { token: owner.accessToken });
  expect(earnings.body.balances).toEqual([
    expect.objectContaining({ currency: "eur", sales: 1900, tax: 361, platformFees: 220, balance: 1900 + 361 - 220 }),
  ]);
  expect(
    earnings.body.recent
      .filter((e: { orderId: string }) => e.orderId === order.id)
      .map((e: { type: string }) => e.type)
      .sort(),
  ).toEqual(["platform_fee", "sale", "tax"]);
});

it("the emulator's rate per country is configurable: a rate set for Switzerland is what the buyer pays", async () => {
  await emulatorAdmin("POST", "/tax/rates", { rates: { CH: 8.1 } });
  const buyer = await createUser("tax-buyer-ch");
  const checkout = await taxedCheckout(buyer);
  expect((await pay(checkout.url, { country: "CH" })).status).toBe(303);
  await stripeEventsSettled();
  // 8.1 % of 19.00 is 1.539, rounded to 1.54.
  expect(await orderOf(buyer)).toMatchObject({
    amount: 2054,
    feeAmount: 220,
    tax: { amount: 154, percentage: 8.1, country: "CH", taxId: null },
  });
});

it("a subscriber in Germany pays 19 % VAT on the first invoice and on each renewal; Plaza keeps its fee on the price before tax", async () => {
  const item = await paidItem(orgId, { model: "subscription", amount: 1000, currency: "eur", interval: "month" });
  const earningsOf = async () =>
    (await call("GET", `/v1/orgs/${orgId}/earnings`, { token: owner.accessToken })).body.balances.find(
      (b: { currency: string }) => b.currency === "eur",
    );
  const before = await earningsOf();
  const buyer = await createUser("tax-subscriber-de");
  const checkout = await taxedCheckout(buyer, item.slug);
  const stripe = testStripe();
  const session = await stripe.checkout.sessions.retrieve(new URL(checkout.url).pathname.split("/").pop()!);
  expect(session).toMatchObject({ mode: "subscription", automatic_tax: { enabled: true }, billing_address_collection: "required" });
  expect((await pay(checkout.url, { country: "DE", tax_id: "DE123456789" })).status).toBe(303);
  await eventually(async () => ((await ordersOf(buyer)) === 1 ? true : undefined), "the first invoice's order");
  await stripeEventsSettled();

  // The renewal is taxed from the address Checkout saved on the buyer's customer.
  await emulatorAdmin("POST", "/clock/advance", { seconds: 31 * 86_400 });
  await eventually(async () => ((await ordersOf(buyer)) === 2 ? true : undefined), "the renewal's order");
  await stripeEventsSettled();
  const orders = (await call("GET", "/v1/me/orders", { token: buyer.accessToken })).body.data;
  const taxed = {
    kind: "subscription",
    amount: 1190,
    feeAmount: 100,
    tax: { amount: 190, percentage: 19, country: "DE", taxId: "DE123456789" },
  };
  expect(orders).toEqual([expect.objectContaining(taxed), expect.objectContaining(taxed)]);

  // Stripe took 10 % of 11.90 on each invoice and gave the tax's share back: it keeps 10 % of 10.00, what Plaza booked.
  const { results } = await env.DB.prepare("SELECT payment_intent_id FROM orders WHERE user_id = ?")
    .bind(buyer.id)
    .all<{ payment_intent_id: string }>();
  for (const { payment_intent_id } of results) {
    const intent = await stripe.paymentIntents.retrieve(payment_intent_id, { expand: ["latest_charge"] });
    const fee = await stripe.applicationFees.retrieve((intent.latest_charge as Stripe.Charge).application_fee as string);
    expect(fee).toMatchObject({ amount: 119, amount_refunded: 19 });
  }
  const after = await earningsOf();
  expect({
    sales: after.sales - before.sales,
    tax: after.tax - before.tax,
    platformFees: after.platformFees - before.platformFees,
  }).toEqual({ sales: 2000, tax: 380, platformFees: 200 });
});
