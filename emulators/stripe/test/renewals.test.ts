import Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import { admin, advanceClock, emulatorStripe, onboardedAccount, payCheckout } from "./sdk";

const stripe = emulatorStripe();

let author: Stripe.Account;
beforeAll(async () => {
  author = await onboardedAccount(stripe);
});

const emulatorNow = async () => (await admin<{ now: number }>("/clock")).now;

/** Buys a monthly subscription through Checkout (optionally for an existing customer, extra prices). */
async function subscribe(options: { customer?: string; extraPrices?: string[]; unitAmount?: number } = {}) {
  const product = await stripe.products.create({ name: "Pro plan" });
  const price = await stripe.prices.create({
    product: product.id,
    currency: "usd",
    unit_amount: options.unitAmount ?? 2000,
    recurring: { interval: "month" },
  });
  const session = await stripe.checkout.sessions.create({
    mode: "subscription",
    ...(options.customer ? { customer: options.customer } : { customer_email: "renew@example.test" }),
    line_items: [{ price: price.id, quantity: 1 }, ...(options.extraPrices ?? []).map((p) => ({ price: p }))],
    success_url: "https://plaza.test/ok",
    subscription_data: { application_fee_percent: 10, transfer_data: { destination: author.id }, metadata: { plaza_item: "itm_9" } },
  });
  await payCheckout(session.id);
  const done = await stripe.checkout.sessions.retrieve(session.id);
  const subscription = await stripe.subscriptions.retrieve(done.subscription as string);
  return { subscription, customer: done.customer as string, periodEnd: subscription.items.data[0]!.current_period_end };
}

/** Advances emulator time to just past `time`. */
const advancePast = async (time: number) => advanceClock(Math.max(1, time - (await emulatorNow()) + 1));

const cycleInvoices = async (subscription: string) =>
  (await stripe.invoices.list({ subscription })).data.filter((i) => i.billing_reason === "subscription_cycle");

async function chargeOf(invoiceId: string) {
  const [payment] = (await stripe.invoicePayments.list({ invoice: invoiceId })).data;
  const paymentIntent = await stripe.paymentIntents.retrieve(payment!.payment.payment_intent as string);
  return { paymentIntent, charge: await stripe.charges.retrieve(paymentIntent.latest_charge as string) };
}

const eventsFor = async (type: string, id: string) =>
  (await stripe.events.list({ type, limit: 100 })).data.filter((e) => (e.data.object as { id: string }).id === id);

describe("the emulator clock", () => {
  it("reports emulator time and moves it forward", async () => {
    const before = await admin<{ now: number; offset_seconds: number }>("/clock");
    expect(Math.abs(before.now - (Math.floor(Date.now() / 1000) + before.offset_seconds))).toBeLessThanOrEqual(1);
    const after = await advanceClock(3600);
    expect(after.offset_seconds).toBe(before.offset_seconds + 3600);
    expect(after.now).toBeGreaterThanOrEqual(before.now + 3600);
    // Objects are dated in emulator time.
    const customer = await stripe.customers.create({ email: "dated@example.test" });
    expect(customer.created).toBeGreaterThanOrEqual(after.now);
  });
});

describe("renewals", () => {
  it("renews at the period end: a paid subscription_cycle invoice with fee, destination and metadata", async () => {
    const { subscription, periodEnd } = await subscribe();
    const periodStart = subscription.items.data[0]!.current_period_start;
    const report = await advancePast(periodEnd);

    const [invoice] = await cycleInvoices(subscription.id);
    expect(report.invoices).toContain(invoice!.id);
    expect(invoice).toMatchObject({
      status: "paid",
      billing_reason: "subscription_cycle",
      amount_due: 2000,
      amount_paid: 2000,
      attempt_count: 1,
      period_start: periodStart,
      period_end: periodEnd,
      parent: { subscription_details: { subscription: subscription.id, metadata: { plaza_item: "itm_9" } } },
    });
    expect(invoice!.created).toBe(periodEnd);
    const renewed = await stripe.subscriptions.retrieve(subscription.id);
    expect(renewed).toMatchObject({ status: "active", latest_invoice: invoice!.id });
    const item = renewed.items.data[0]!;
    expect(item.current_period_start).toBe(periodEnd);
    expect(item.current_period_end).toBeGreaterThan(periodEnd + 27 * 86_400);
    expect(invoice!.lines.data[0]!.period).toEqual({ start: item.current_period_start, end: item.current_period_end });

    const { charge } = await chargeOf(invoice!.id);
    expect(charge).toMatchObject({
      status: "succeeded",
      amount: 2000,
      application_fee_amount: 200,
      transfer_data: { destination: author.id },
      metadata: { plaza_item: "itm_9" },
    });

    const [updated] = await eventsFor("customer.subscription.updated", subscription.id);
    expect(updated!.data.previous_attributes).toMatchObject({ latest_invoice: subscription.latest_invoice });
    expect(await eventsFor("invoice.paid", invoice!.id)).toHaveLength(1);
    expect(await eventsFor("invoice.payment_succeeded", invoice!.id)).toHaveLength(1);
  });

  it("bills every period that passed in one advance, in order", async () => {
    const { subscription, periodEnd } = await subscribe();
    await advancePast(periodEnd + 62 * 86_400);
    const invoices = (await cycleInvoices(subscription.id)).reverse();
    expect(invoices.length).toBeGreaterThanOrEqual(3);
    expect(invoices[0]!.period_end).toBe(periodEnd);
    expect(invoices[1]!.period_start).toBe(invoices[0]!.period_end);
    expect(invoices.every((i) => i.status === "paid")).toBe(true);
  });

  it("ends a subscription set to cancel at period end instead of renewing it", async () => {
    const { subscription, periodEnd } = await subscribe();
    await stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
    const report = await advancePast(periodEnd);
    expect(report.canceled_subscriptions).toContain(subscription.id);
    expect(await stripe.subscriptions.retrieve(subscription.id)).toMatchObject({
      status: "canceled",
      ended_at: periodEnd,
      cancel_at: periodEnd,
    });
    expect(await eventsFor("customer.subscription.deleted", subscription.id)).toHaveLength(1);
    expect(await cycleInvoices(subscription.id)).toEqual([]);
  });
});

describe("failed renewals", () => {
  it("leaves the invoice open and the subscription past_due, until invoices.pay succeeds", async () => {
    const { subscription, customer, periodEnd } = await subscribe();
    expect(await admin(`/customers/${customer}/payment_behavior`, { fail: true })).toEqual({ customer, fail: true });
    await advancePast(periodEnd);

    const [invoice] = await cycleInvoices(subscription.id);
    expect(invoice).toMatchObject({ status: "open", attempt_count: 1, amount_paid: 0, amount_remaining: 2000 });
    expect(invoice!.next_payment_attempt).toBe(periodEnd + 86_400);
    const { paymentIntent, charge } = await chargeOf(invoice!.id);
    expect(charge).toMatchObject({ status: "failed", paid: false, failure_code: "card_declined" });
    expect(paymentIntent).toMatchObject({ status: "requires_payment_method", last_payment_error: { code: "card_declined" } });
    expect(await eventsFor("invoice.payment_failed", invoice!.id)).toHaveLength(1);
    expect(await stripe.subscriptions.retrieve(subscription.id)).toMatchObject({ status: "past_due" });
    const [pastDue] = await eventsFor("customer.subscription.updated", subscription.id);
    expect(pastDue).toMatchObject({ data: { object: { status: "past_due" }, previous_attributes: { status: "active" } } });

    const declined = await stripe.invoices.pay(invoice!.id).catch((e) => e);
    expect(declined).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(declined).toMatchObject({ statusCode: 402, code: "card_declined" });
    expect((await stripe.invoices.retrieve(invoice!.id)).attempt_count).toBe(2);

    await admin(`/customers/${customer}/payment_behavior`, { fail: false });
    const paid = await stripe.invoices.pay(invoice!.id);
    expect(paid).toMatchObject({ status: "paid", attempt_count: 3, amount_paid: 2000, next_payment_attempt: null });
    // The same payment intent is retried; its latest charge is the one that went through.
    const retried = await chargeOf(invoice!.id);
    expect(retried.paymentIntent.id).toBe(paymentIntent.id);
    expect(retried.charge).toMatchObject({ status: "succeeded", application_fee_amount: 200 });
    expect(await stripe.subscriptions.retrieve(subscription.id)).toMatchObject({ status: "active" });
    const [active] = await eventsFor("customer.subscription.updated", subscription.id);
    expect(active).toMatchObject({ data: { object: { status: "active" }, previous_attributes: { status: "past_due" } } });
  });

  it("retries an open invoice when a later advance reaches next_payment_attempt", async () => {
    const { subscription, customer, periodEnd } = await subscribe();
    await admin(`/customers/${customer}/payment_behavior`, { fail: true });
    await advancePast(periodEnd);
    const [invoice] = await cycleInvoices(subscription.id);
    await admin(`/customers/${customer}/payment_behavior`, { fail: false });
    const report = await advancePast(invoice!.next_payment_attempt!);
    expect(report.invoices).toContain(invoice!.id);
    expect(await stripe.invoices.retrieve(invoice!.id)).toMatchObject({ status: "paid", attempt_count: 2 });
    expect(await stripe.subscriptions.retrieve(subscription.id)).toMatchObject({ status: "active" });
  });
});

describe("metered billing", () => {
  it("bills a metered price from the meter's usage in the period that ended", async () => {
    const meter = await stripe.billing.meters.create({
      display_name: "API calls",
      event_name: "renewal_api_calls",
      default_aggregation: { formula: "sum" },
    });
    const product = await stripe.products.create({ name: "API usage" });
    const metered = await stripe.prices.create({
      product: product.id,
      currency: "usd",
      unit_amount: 3,
      recurring: { interval: "month", usage_type: "metered", meter: meter.id },
    });
    const { subscription, customer, periodEnd } = await subscribe({ extraPrices: [metered.id] });
    const first = await stripe.invoices.retrieve(subscription.latest_invoice as string);
    expect(first.lines.data.map((l) => [l.pricing?.price_details?.price, l.amount])).toEqual([
      [subscription.items.data[0]!.price.id, 2000],
      [metered.id, 0],
    ]);

    await stripe.billing.meterEvents.create({ event_name: meter.event_name, payload: { stripe_customer_id: customer, value: "40" } });
    await stripe.billing.meterEvents.create({
      event_name: meter.event_name,
      payload: { stripe_customer_id: customer, value: "60" },
      identifier: "call-batch-2",
    });
    // A retried report with the same identifier is refused and not counted twice.
    const duplicate = await stripe.billing.meterEvents
      .create({ event_name: meter.event_name, payload: { stripe_customer_id: customer, value: "60" }, identifier: "call-batch-2" })
      .catch((e) => e);
    expect(duplicate).toMatchObject({ statusCode: 400, param: "identifier" });

    await advancePast(periodEnd);
    const [renewal] = await cycleInvoices(subscription.id);
    const meteredLine = renewal!.lines.data.find((l) => l.pricing?.price_details?.price === metered.id)!;
    expect(meteredLine).toMatchObject({
      quantity: 100,
      amount: 300,
      period: { start: subscription.items.data[0]!.current_period_start, end: periodEnd },
    });
    expect(renewal).toMatchObject({ amount_due: 2300, status: "paid" });
    expect((await chargeOf(renewal!.id)).charge.application_fee_amount).toBe(230);
  });
});

describe("Stripe test clocks", () => {
  it("bills customers on a test clock when that clock advances, and not when the emulator clock does", async () => {
    const frozen = Date.UTC(2031, 0, 31, 12) / 1000;
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: frozen, name: "Plaza renewals" });
    expect(clock).toMatchObject({ object: "test_helpers.test_clock", frozen_time: frozen, status: "ready" });
    const customer = await stripe.customers.create({ email: "clock@example.test", test_clock: clock.id });
    expect(customer).toMatchObject({ test_clock: clock.id, created: frozen });

    const { subscription, periodEnd } = await subscribe({ customer: customer.id });
    expect(subscription).toMatchObject({ start_date: frozen, test_clock: clock.id });
    // Calendar months from Jan 31: the next period ends on the last day of February.
    expect(periodEnd).toBe(Date.UTC(2031, 1, 28, 12) / 1000);

    await advanceClock(90 * 86_400);
    expect(await cycleInvoices(subscription.id)).toEqual([]);

    const advanced = await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: periodEnd + 60 });
    expect(advanced).toMatchObject({ status: "ready", frozen_time: periodEnd + 60 });
    expect((await stripe.testHelpers.testClocks.retrieve(clock.id)).frozen_time).toBe(periodEnd + 60);
    const [renewal] = await cycleInvoices(subscription.id);
    expect(renewal).toMatchObject({ status: "paid", created: periodEnd, test_clock: clock.id });
    expect((await stripe.subscriptions.retrieve(subscription.id)).items.data[0]!.current_period_end).toBe(Date.UTC(2031, 2, 31, 12) / 1000);

    const backwards = await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: frozen }).catch((e) => e);
    expect(backwards).toMatchObject({ statusCode: 400, param: "frozen_time" });
    expect((await stripe.events.list({ type: "test_helpers.test_clock.ready", limit: 1 })).data[0]!.data.object).toMatchObject({
      id: clock.id,
    });
    expect((await stripe.testHelpers.testClocks.list()).data.map((c) => c.id)).toContain(clock.id);
    expect(await stripe.testHelpers.testClocks.del(clock.id)).toEqual({ id: clock.id, object: "test_helpers.test_clock", deleted: true });
  });
});

/** Start of the current emulator hour, so summaries can use aligned bounds around "now". */
async function hourStart() {
  const { now } = await admin<{ now: number }>("/clock");
  return now - (now % 3600);
}

describe("billing meters", () => {
  it("creates, retrieves and lists meters with Stripe's defaults", async () => {
    const meter = await stripe.billing.meters.create({
      display_name: "Tokens",
      event_name: "meter_test_tokens",
      default_aggregation: { formula: "sum" },
    });
    expect(meter).toMatchObject({
      object: "billing.meter",
      status: "active",
      event_name: "meter_test_tokens",
      customer_mapping: { event_payload_key: "stripe_customer_id", type: "by_id" },
      value_settings: { event_payload_key: "value" },
      default_aggregation: { formula: "sum" },
    });
    expect(meter.id).toMatch(/^mtr_/);
    expect((await stripe.billing.meters.retrieve(meter.id)).display_name).toBe("Tokens");
    expect((await stripe.billing.meters.list({ status: "active", limit: 100 })).data.map((m) => m.id)).toContain(meter.id);

    const clash = await stripe.billing.meters
      .create({ display_name: "Again", event_name: "meter_test_tokens", default_aggregation: { formula: "sum" } })
      .catch((e) => e);
    expect(clash).toMatchObject({ statusCode: 400, param: "event_name" });
  });

  it("records meter events, refuses unknown event names and repeated identifiers, and summarises usage", async () => {
    const customer = await stripe.customers.create({ email: "usage@example.test" });
    const meter = await stripe.billing.meters.create({
      display_name: "Seats",
      event_name: "meter_test_seconds",
      default_aggregation: { formula: "sum" },
      customer_mapping: { event_payload_key: "cust", type: "by_id" },
      value_settings: { event_payload_key: "seconds" },
    });
    const start = await hourStart();
    const event = await stripe.billing.meterEvents.create({
      event_name: meter.event_name,
      payload: { cust: customer.id, seconds: "12.5" },
      identifier: "job-1",
      timestamp: start + 10,
    });
    expect(event).toMatchObject({
      object: "billing.meter_event",
      identifier: "job-1",
      timestamp: start + 10,
      payload: { seconds: "12.5" },
    });
    await stripe.billing.meterEvents.create({
      event_name: meter.event_name,
      payload: { cust: customer.id, seconds: "7.5" },
      timestamp: start + 20,
    });

    const repeat = await stripe.billing.meterEvents
      .create({ event_name: meter.event_name, payload: { cust: customer.id, seconds: "100" }, identifier: "job-1", timestamp: start + 30 })
      .catch((e) => e);
    expect(repeat).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(repeat).toMatchObject({ statusCode: 400, param: "identifier", message: "An event already exists with identifier job-1." });

    const unknown = await stripe.billing.meterEvents
      .create({ event_name: "no_such_meter", payload: { stripe_customer_id: customer.id, value: "1" } })
      .catch((e) => e);
    expect(unknown).toMatchObject({ statusCode: 400, param: "event_name" });
    const noCustomer = await stripe.billing.meterEvents.create({ event_name: meter.event_name, payload: { seconds: "1" } }).catch((e) => e);
    expect(noCustomer).toMatchObject({ statusCode: 400, param: "payload[cust]" });

    const [total] = (
      await stripe.billing.meters.listEventSummaries(meter.id, { customer: customer.id, start_time: start, end_time: start + 3600 })
    ).data;
    expect(total).toMatchObject({
      object: "billing.meter_event_summary",
      aggregated_value: 20,
      meter: meter.id,
      start_time: start,
      end_time: start + 3600,
    });

    const hourly = await stripe.billing.meters.listEventSummaries(meter.id, {
      customer: customer.id,
      start_time: start - 3600,
      end_time: start + 3600,
      value_grouping_window: "hour",
    });
    expect(hourly.data.map((s) => [s.start_time, s.aggregated_value])).toEqual([
      [start, 20],
      [start - 3600, 0],
    ]);

    const unaligned = await stripe.billing.meters
      .listEventSummaries(meter.id, { customer: customer.id, start_time: start + 1, end_time: start + 3600 })
      .catch((e) => e);
    expect(unaligned).toMatchObject({ statusCode: 400, param: "start_time" });
  });

  it("counts events with the count formula", async () => {
    const customer = await stripe.customers.create({ email: "count@example.test" });
    const meter = await stripe.billing.meters.create({
      display_name: "Builds",
      event_name: "meter_test_builds",
      default_aggregation: { formula: "count" },
    });
    const start = await hourStart();
    for (const value of ["5", "9", "1"]) {
      await stripe.billing.meterEvents.create({
        event_name: meter.event_name,
        payload: { stripe_customer_id: customer.id, value },
        timestamp: start + 1,
      });
    }
    const [summary] = (
      await stripe.billing.meters.listEventSummaries(meter.id, { customer: customer.id, start_time: start, end_time: start + 3600 })
    ).data;
    expect(summary!.aggregated_value).toBe(3);

    // A deactivated meter takes no events (and no new prices) until it is reactivated.
    expect((await stripe.billing.meters.deactivate(meter.id)).status).toBe("inactive");
    const refused = await stripe.billing.meterEvents
      .create({ event_name: meter.event_name, payload: { stripe_customer_id: customer.id, value: "1" } })
      .catch((e) => e);
    expect(refused).toMatchObject({ statusCode: 400, param: "event_name" });
    expect((await stripe.billing.meters.reactivate(meter.id)).status).toBe("active");
    expect((await stripe.billing.meters.update(meter.id, { display_name: "CI builds" })).display_name).toBe("CI builds");
  });
});
