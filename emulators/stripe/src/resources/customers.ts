import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { emitEvent } from "../events";
import { newId, nowSeconds, randomToken } from "../ids";
import { mergeMetadata, metadata, parseParams } from "../params";
import type { StripeObject } from "../store";
import { listSchema, paramsSchema, respond, respondList, updated } from "./common";

const fields = {
  email: z.string().optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  phone: z.string().optional(),
  metadata,
};
const createParams = paramsSchema(fields);
const updateParams = paramsSchema(fields);
const listParams = listSchema({ email: z.string().optional() });

export type Customer = StripeObject & { email: string | null; metadata: Record<string, string> };

export function createCustomer(
  store: AppEnv["Bindings"]["store"],
  params: z.output<typeof createParams>,
): Customer {
  const customer: Customer = {
    id: newId("customer"),
    object: "customer",
    address: null,
    balance: 0,
    created: nowSeconds(),
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
  };
  store.insert("customer", customer);
  emitEvent(store, "customer.created", customer);
  return customer;
}

export const customers = new Hono<AppEnv>()
  .post("/", (c) => respond(c, createCustomer(c.env.store, parseParams(createParams, c.var.params))))
  .get("/", (c) => {
    const params = parseParams(listParams, c.var.params);
    const all = c.env.store.all<Customer>("customer");
    return respondList(c, params.email ? all.filter((cu) => cu.email === params.email) : all, params);
  })
  .get("/:id", (c) => respond(c, c.env.store.get("customer", c.req.param("id"))))
  .post("/:id", (c) => {
    const params = parseParams(updateParams, c.var.params);
    const current = c.env.store.get<Customer>("customer", c.req.param("id"));
    const next: Customer = {
      ...current,
      email: updated(params.email, current.email),
      name: updated(params.name, current.name),
      description: updated(params.description, current.description),
      phone: updated(params.phone, current.phone),
      metadata: mergeMetadata(current.metadata, params.metadata),
    };
    c.env.store.update(next);
    emitEvent(c.env.store, "customer.updated", next);
    return respond(c, next);
  });
