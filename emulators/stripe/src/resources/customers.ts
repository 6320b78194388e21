import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { emitEvent } from "../events";
import { newId, randomToken } from "../ids";
import { mergeMetadata, metadata, parseParams } from "../params";
import type { ObjectStore, StripeObject } from "../store";
import { listSchema, paramsSchema, respond, respondList, updated } from "./common";
import type { TestClock } from "./test-clocks";

const fields = {
  email: z.string().optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  phone: z.string().optional(),
  metadata,
};
const createParams = paramsSchema({ ...fields, test_clock: z.string().optional() });
const updateParams = paramsSchema(fields);
const listParams = listSchema({ email: z.string().optional() });

export type Customer = StripeObject & {
  email: string | null;
  invoice_prefix: string;
  metadata: Record<string, string>;
  test_clock: string | null;
};

/** Emulator-only settings kept beside a customer (set through /_emulator routes). */
export interface CustomerInternal {
  /** Later invoice payments for this customer are declined. */
  failPayments?: boolean;
  /** The tax ids Checkout collected (resources/tax.ts), listed on the customer's invoices. */
  taxIds?: { type: string; value: string }[];
}

export function createCustomer(store: ObjectStore, params: z.output<typeof createParams>): Customer {
  // A customer on a test clock lives at the clock's frozen time, from its creation on.
  const clock = params.test_clock ? store.get<TestClock>("test_helpers.test_clock", params.test_clock, "test_clock") : undefined;
  const customer: Customer = {
    id: newId("customer"),
    object: "customer",
    address: null,
    balance: 0,
    created: clock?.frozen_time ?? store.now(),
    currency: null,
    default_source: null,
    delinquent: false,
    description: params.description ?? null,
    email: params.email ?? null,
    invoice_prefix: randomToken(8).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: params.metadata ?? {},
    name: params.name ?? null,
    phone: params.phone ?? null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: "none",
    test_clock: clock?.id ?? null,
  };
  store.insert("customer", customer);
  emitEvent(store, "customer.created", customer);
  return customer;
}

/** "Now" for a customer: its test clock's frozen time, or emulator time. */
export function customerTime(store: ObjectStore, customerId: string | null): number {
  const clockId = customerId ? store.find<Customer>("customer", customerId)?.test_clock : null;
  const clock = clockId ? store.find<TestClock>("test_helpers.test_clock", clockId) : undefined;
  return clock?.frozen_time ?? store.now();
}

/** Runs `work` at the customer's time, so what it creates is dated on the customer's clock. */
export const atCustomerTime = <T>(store: ObjectStore, customerId: string | null, work: () => T): T =>
  store.clock.at(customerTime(store, customerId), work);

export const customers = new Hono<AppEnv>()
  .post("/", (c) => respond(c, createCustomer(c.var.store, parseParams(createParams, c.var.params))))
  .get("/", (c) => {
    const params = parseParams(listParams, c.var.params);
    const all = c.var.store.all<Customer>("customer");
    return respondList(c, params.email ? all.filter((cu) => cu.email === params.email) : all, params);
  })
  .get("/:id", (c) => respond(c, c.var.store.get("customer", c.req.param("id"))))
  .post("/:id", (c) => {
    const params = parseParams(updateParams, c.var.params);
    const current = c.var.store.get<Customer>("customer", c.req.param("id"));
    const next: Customer = {
      ...current,
      email: updated(params.email, current.email),
      name: updated(params.name, current.name),
      description: updated(params.description, current.description),
      phone: updated(params.phone, current.phone),
      metadata: mergeMetadata(current.metadata, params.metadata),
    };
    c.var.store.update(next);
    emitEvent(c.var.store, "customer.updated", next);
    return respond(c, next);
  });
