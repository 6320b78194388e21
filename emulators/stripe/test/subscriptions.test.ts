import type Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import { advanceClock, emulatorStripe, onboardedAccount, payCheckout } from "./sdk";

const stripe = emulatorStripe();

let author: Stripe.Account;
beforeAll(async () => {
  author = await onboardedAccount(stripe);
});

async function monthlyPrice(unitAmount = 1200) {
  const product = await stripe.products.create({ name: "Team plan" });
  return stripe.prices.create({ product: product.id, currency: "usd", unit_amount: unitAmount, recurring: { interval: "month" } });
}

/** A subscription bought through Checkout with Plaza's platform fee and the author as destination. */
async function subscribe(options: { quantity?: number; email?: string } = {}) {
  const price = await monthlyPrice();
  const session = await stripe.checkout.sessions.create({
    mode: "subscription",
    customer_email: options.email ?? "team@example.test",
    line_items: [{ price: price.id, quantity: options.quantity ?? 3 }],
    success_url: "https://plaza.test/ok?session={CHECKOUT_SESSION_ID}",
    subscription_data: {
      application_fee_percent: 12.5,
      transfer_data: { destination: author.id },
      metadata: { plaza_item: "itm_1", plaza_buyer: "usr_1" },
    },
  });
  const paid = await payCheckout(session.id);
  expect(paid.status).toBe(303);
  const done = await stripe.checkout.sessions.retrieve(session.id);
  return { session: done, price, subscriptionId: done.subscription as string, invoiceId: done.invoice as string };
}

/** The charge behind an invoice, the way the app finds it: invoice payments → payment intent → latest charge. */
async function chargeOf(invoiceId: string) {
  const [payment] = (await stripe.invoicePayments.list({ invoice: invoiceId })).data;
  const paymentIntent = await stripe.paymentIntents.retrieve(payment!.payment.payment_intent as string);
  return { payment: payment!, paymentIntent, charge: await stripe.charges.retrieve(paymentIntent.latest_charge as string) };
}

describe("Checkout in subscription mode", () => {
  it("starts an active subscription with a paid first invoice, fee, destination and metadata", async () => {
    const { session, price, subscriptionId, invoiceId } = await subscribe();
    expect(session).toMatchObject({ status: "complete", payment_status: "paid", mode: "subscription", amount_total: 3600 });
    expect(subscriptionId).toMatch(/^sub_/);
    expect(invoiceId).toMatch(/^in_/);

    const subscription = await stripe.subscriptions.retrieve(subscriptionId);
    expect(subscription).toMatchObject({
      status: "active",
      customer: session.customer,
      application_fee_percent: 12.5,
      transfer_data: { destination: author.id },
      metadata: { plaza_item: "itm_1", plaza_buyer: "usr_1" },
      latest_invoice: invoiceId,
      cancel_at_period_end: false,
    });
    const [item] = subscription.items.data;
    expect(item).toMatchObject({ quantity: 3, price: { id: price.id } });
    expect(item!.current_period_start).toBe(subscription.start_date);
    expect(item!.current_period_end).toBeGreaterThan(item!.current_period_start + 27 * 86_400);

    const invoice = await stripe.invoices.retrieve(invoiceId);
    expect(invoice).toMatchObject({
      status: "paid",
      billing_reason: "subscription_create",
      customer: session.customer,
      currency: "usd",
      amount_due: 3600,
      amount_paid: 3600,
      amount_remaining: 0,
      attempt_count: 1,
      next_payment_attempt: null,
      parent: { type: "subscription_details", subscription_details: { subscription: subscriptionId, metadata: { plaza_item: "itm_1" } } },
    });
    expect(invoice.number).toMatch(/^[A-Z0-9]+-0001$/);
    expect(invoice.lines.data).toHaveLength(1);
    expect(invoice.lines.data[0]).toMatchObject({
      amount: 3600,
      quantity: 3,
      pricing: { price_details: { price: price.id } },
      period: { start: item!.current_period_start, end: item!.current_period_end },
    });

    const { payment, paymentIntent, charge } = await chargeOf(invoiceId);
    expect(payment).toMatchObject({ object: "invoice_payment", invoice: invoiceId, status: "paid", amount_paid: 3600 });
    expect(paymentIntent).toMatchObject({ status: "succeeded", amount: 3600, customer: session.customer });
    expect(charge).toMatchObject({
      status: "succeeded",
      paid: true,
      amount: 3600,
      application_fee_amount: 450,
      transfer_data: { destination: author.id },
      metadata: { plaza_item: "itm_1", plaza_buyer: "usr_1" },
    });

    // `payments` comes only when expanded, and can be followed to the payment intent in one call.
    const expanded = await stripe.invoices.retrieve(invoiceId, { expand: ["payments.data.payment.payment_intent"] });
    expect((expanded.payments!.data[0]!.payment.payment_intent as Stripe.PaymentIntent).latest_charge).toBe(charge.id);
    expect((await stripe.invoices.retrieve(invoiceId)).payments).toBeUndefined();
  });

  it("emits the subscription, invoice and payment events in Stripe's order", async () => {
    const { session, subscriptionId, invoiceId } = await subscribe({ email: "order@example.test" });
    const events = (await stripe.events.list({ limit: 100 })).data.reverse();
    const ours = events.filter((e) => {
      const object = e.data.object as { id: string; customer?: string };
      return object.id === session.id || object.customer === session.customer || object.id === session.customer;
    });
    expect(ours.map((e) => e.type)).toEqual([
      "customer.created",
      "customer.subscription.created",
      "invoice.created",
      "invoice.finalized",
      "payment_intent.created",
      "charge.succeeded",
      "payment_intent.succeeded",
      "invoice.paid",
      "invoice.payment_succeeded",
      "checkout.session.completed",
    ]);
    expect(ours.find((e) => e.type === "invoice.created")!.data.object).toMatchObject({ id: invoiceId, status: "draft" });
    expect(ours.find((e) => e.type === "customer.subscription.created")!.data.object).toMatchObject({ id: subscriptionId });
    const paidEvents = (await stripe.events.list({ type: "invoice_payment.paid", limit: 5 })).data;
    expect(paidEvents.some((e) => (e.data.object as Stripe.InvoicePayment).invoice === invoiceId)).toBe(true);
  });

  it("refuses an application fee percent without a destination, and a destination that cannot take charges", async () => {
    const price = await monthlyPrice();
    const base = { mode: "subscription" as const, line_items: [{ price: price.id, quantity: 1 }], success_url: "https://plaza.test/ok" };
    const noDestination = await stripe.checkout.sessions
      .create({ ...base, subscription_data: { application_fee_percent: 10 } })
      .catch((e) => e);
    expect(noDestination).toMatchObject({ statusCode: 400, param: "subscription_data[application_fee_percent]" });

    const unknown = await stripe.checkout.sessions
      .create({ ...base, subscription_data: { transfer_data: { destination: "acct_unknown" } } })
      .catch((e) => e);
    expect(unknown).toMatchObject({ statusCode: 400, code: "resource_missing", param: "subscription_data[transfer_data][destination]" });

    const fresh = await stripe.accounts.create({ type: "express", email: "new@example.test" });
    const notReady = await stripe.checkout.sessions
      .create({ ...base, subscription_data: { transfer_data: { destination: fresh.id } } })
      .catch((e) => e);
    expect(notReady).toMatchObject({ statusCode: 400, param: "subscription_data[transfer_data][destination]" });
  });
});

describe("invoices and subscriptions API", () => {
  it("lists invoices by customer and subscription, and invoice line items", async () => {
    const a = await subscribe({ email: "a@example.test" });
    const b = await subscribe({ email: "b@example.test" });
    expect((await stripe.invoices.list({ customer: a.session.customer as string })).data.map((i) => i.id)).toEqual([a.invoiceId]);
    expect((await stripe.invoices.list({ subscription: b.subscriptionId })).data.map((i) => i.id)).toEqual([b.invoiceId]);
    expect((await stripe.invoices.list({ status: "paid", limit: 100 })).data.map((i) => i.id)).toEqual(
      expect.arrayContaining([a.invoiceId, b.invoiceId]),
    );
    const lines = await stripe.invoices.listLineItems(a.invoiceId);
    expect(lines.data[0]).toMatchObject({ object: "line_item", amount: 3600 });
    const paid = await stripe.invoices.pay(a.invoiceId).catch((e) => e);
    expect(paid).toMatchObject({ statusCode: 400, message: "Invoice is already paid." });
  });

  it("lists subscriptions by customer and status", async () => {
    const { session, subscriptionId } = await subscribe({ email: "lists@example.test" });
    const customer = session.customer as string;
    expect((await stripe.subscriptions.list({ customer })).data.map((s) => s.id)).toEqual([subscriptionId]);
    expect((await stripe.subscriptions.list({ customer, status: "past_due" })).data).toEqual([]);
    await stripe.subscriptions.cancel(subscriptionId);
    // Without a status filter Stripe leaves canceled subscriptions out.
    expect((await stripe.subscriptions.list({ customer })).data).toEqual([]);
    expect((await stripe.subscriptions.list({ customer, status: "canceled" })).data.map((s) => s.id)).toEqual([subscriptionId]);
    expect((await stripe.subscriptions.list({ customer, status: "all" })).data.map((s) => s.id)).toEqual([subscriptionId]);
  });

  it("sets and clears cancel_at_period_end and metadata with customer.subscription.updated", async () => {
    const { subscriptionId } = await subscribe({ email: "update@example.test" });
    const before = await stripe.subscriptions.retrieve(subscriptionId);
    const periodEnd = before.items.data[0]!.current_period_end;

    const canceling = await stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true, metadata: { reason: "budget" } });
    expect(canceling).toMatchObject({
      status: "active",
      cancel_at_period_end: true,
      cancel_at: periodEnd,
      metadata: { plaza_item: "itm_1", reason: "budget" },
    });
    expect(canceling.canceled_at).toEqual(expect.any(Number));
    const [updated] = (await stripe.events.list({ type: "customer.subscription.updated", limit: 1 })).data;
    expect(updated!.data.object).toMatchObject({ id: subscriptionId, cancel_at_period_end: true });
    expect(updated!.data.previous_attributes).toMatchObject({ cancel_at_period_end: false, cancel_at: null, canceled_at: null });
    expect(updated!.data.previous_attributes).toHaveProperty("metadata");

    const resumed = await stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: false });
    expect(resumed).toMatchObject({ cancel_at_period_end: false, cancel_at: null, canceled_at: null });
    const [undo] = (await stripe.events.list({ type: "customer.subscription.updated", limit: 1 })).data;
    expect(undo!.data.previous_attributes).toMatchObject({ cancel_at_period_end: true, cancel_at: periodEnd });
  });

  it("cancels at once with ended_at and customer.subscription.deleted", async () => {
    const { subscriptionId } = await subscribe({ email: "cancel@example.test" });
    const canceled = await stripe.subscriptions.cancel(subscriptionId);
    expect(canceled).toMatchObject({ status: "canceled", ended_at: expect.any(Number), canceled_at: expect.any(Number) });
    const [deleted] = (await stripe.events.list({ type: "customer.subscription.deleted", limit: 1 })).data;
    expect(deleted!.data.object).toMatchObject({ id: subscriptionId, status: "canceled" });

    const again = await stripe.subscriptions.cancel(subscriptionId).catch((e) => e);
    expect(again).toMatchObject({ statusCode: 400 });
    const reopen = await stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true }).catch((e) => e);
    expect(reopen).toMatchObject({ statusCode: 400, param: "cancel_at_period_end" });
    expect((await stripe.subscriptions.update(subscriptionId, { metadata: { note: "ok" } })).metadata).toMatchObject({ note: "ok" });
  });
});

describe("refunds of an invoice's charge", () => {
  it("refunds with reverse_transfer and refund_application_fee recorded, and charge.refunded", async () => {
    const { invoiceId } = await subscribe({ email: "refund@example.test" });
    const { paymentIntent, charge } = await chargeOf(invoiceId);
    const refund = await stripe.refunds.create({ payment_intent: paymentIntent.id, reverse_transfer: true, refund_application_fee: true });
    expect(refund).toMatchObject({
      object: "refund",
      amount: 3600,
      charge: charge.id,
      status: "succeeded",
      reverse_transfer: true,
      refund_application_fee: true,
    });
    expect(refund.transfer_reversal).toMatch(/^trr_/);
    expect(await stripe.charges.retrieve(charge.id)).toMatchObject({ refunded: true, amount_refunded: 3600 });
    const [event] = (await stripe.events.list({ type: "charge.refunded", limit: 1 })).data;
    expect(event!.data.object).toMatchObject({ id: charge.id, refunded: true, amount_refunded: 3600 });
    expect(event!.data.previous_attributes).toMatchObject({ refunded: false, amount_refunded: 0 });
    // The invoice stays paid: a refund is not a credit note.
    expect((await stripe.invoices.retrieve(invoiceId)).status).toBe("paid");
  });
});

describe("plan changes with proration", () => {
  it("monthly → yearly credits the unused month, charges a year from now at once; yearly → monthly leaves a credit the renewals use", async () => {
    const { subscriptionId, session, price: monthly } = await subscribe({ email: "plans@example.test", quantity: 1 });
    const yearly = await stripe.prices.create({
      product: monthly.product as string,
      currency: "usd",
      unit_amount: 12000,
      recurring: { interval: "year" },
    });
    const before = await stripe.subscriptions.retrieve(subscriptionId);
    const { current_period_start: start, current_period_end: end, id: itemId } = before.items.data[0]!;
    const { now } = await advanceClock(10 * 86_400);
    const preview = await stripe.invoices.createPreview({
      subscription: subscriptionId,
      subscription_details: { items: [{ id: itemId, price: yearly.id }], proration_behavior: "always_invoice" },
    });

    const upgraded = await stripe.subscriptions.update(subscriptionId, {
      items: [{ id: itemId, price: yearly.id }],
      proration_behavior: "always_invoice",
    });
    // The change happens at the emulator's clock when the update arrives: the advanced `now`, or a
    // second after it when the clock ticked over in between (a CI run saw that).
    const changedAt = upgraded.billing_cycle_anchor;
    expect(changedAt).toBeGreaterThanOrEqual(now);
    expect(changedAt).toBeLessThan(now + 86_400);
    expect(upgraded.items.data[0]).toMatchObject({ id: itemId, price: { id: yearly.id }, current_period_start: changedAt });
    expect(upgraded.items.data[0]!.current_period_end).toBeGreaterThanOrEqual(changedAt + 365 * 86_400);
    const credit = Math.round((1200 * (end - changedAt)) / (end - start));
    const invoice = await stripe.invoices.retrieve(upgraded.latest_invoice as string);
    expect(invoice).toMatchObject({ billing_reason: "subscription_update", status: "paid", amount_paid: 12000 - credit });
    // The preview saw the same invoice (give or take the second between them).
    expect(Math.abs(preview.amount_due - invoice.amount_paid)).toBeLessThanOrEqual(1);
    expect(preview.lines.data.map((l) => l.amount)).toEqual([expect.any(Number), 12000]);
    expect(invoice.lines.data.map((l) => [l.amount, l.parent?.subscription_item_details?.proration])).toEqual([
      [-credit, true],
      [12000, false],
    ]);
    const [updated] = (await stripe.events.list({ type: "customer.subscription.updated", limit: 1 })).data;
    expect(updated!.data.previous_attributes).toHaveProperty("items");

    // Straight back: a year's unused time outweighs a month, so the invoice is a credit on the customer.
    const downgraded = await stripe.subscriptions.update(subscriptionId, {
      items: [{ id: itemId, price: monthly.id }],
      proration_behavior: "always_invoice",
    });
    const refundInvoice = await stripe.invoices.retrieve(downgraded.latest_invoice as string);
    expect(refundInvoice).toMatchObject({ status: "paid", amount_due: 0, amount_paid: 0, total: 1200 - 12000 });
    const customer = (await stripe.customers.retrieve(session.customer as string)) as Stripe.Customer;
    expect(customer.balance).toBe(1200 - 12000);
    // The next renewal is paid from the credit.
    const { invoices } = await advanceClock(32 * 86_400);
    const renewal = await stripe.invoices.retrieve(invoices.at(-1)!);
    expect(renewal).toMatchObject({ billing_reason: "subscription_cycle", status: "paid", amount_paid: 0, starting_balance: 1200 - 12000 });
    expect(((await stripe.customers.retrieve(session.customer as string)) as Stripe.Customer).balance).toBe(1200 * 2 - 12000);
    // Changing a price of an unknown item is refused, as Stripe does.
    const unknown = await stripe.subscriptions.update(subscriptionId, { items: [{ id: "si_nope", price: yearly.id }] }).catch((e) => e);
    expect(unknown).toMatchObject({ statusCode: 400, param: "items[0][id]" });
  });
});
