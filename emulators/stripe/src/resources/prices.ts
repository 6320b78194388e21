import { Hono } from "hono";
import { z } from "zod";
import type { Recurrence } from "../billing/periods";
import type { AppEnv } from "../context";
import { invalidRequest } from "../errors";
import { emitEvent } from "../events";
import { newId } from "../ids";
import { boolString, intString, mergeMetadata, metadata, parseParams } from "../params";
import type { StripeObject } from "../store";
import { listSchema, paramsSchema, respond, respondList, updated } from "./common";
import type { Meter } from "./meters";
import { createProduct } from "./products";

const createParams = paramsSchema({
  currency: z.string().regex(/^[a-zA-Z]{3}$/, "must be a three-letter ISO currency code"),
  unit_amount: intString.optional(),
  unit_amount_decimal: z
    .string()
    .regex(/^\d+(\.\d{1,12})?$/, "Invalid decimal")
    .optional(),
  product: z.string().optional(),
  product_data: z
    .object({ name: z.string().min(1), metadata })
    .strict()
    .optional(),
  recurring: z
    .object({
      interval: z.enum(["day", "week", "month", "year"]),
      interval_count: intString.optional(),
      usage_type: z.enum(["licensed", "metered"]).optional(),
      meter: z.string().optional(),
    })
    .strict()
    .optional(),
  active: boolString.optional(),
  lookup_key: z.string().optional(),
  nickname: z.string().optional(),
  metadata,
});
const updateParams = paramsSchema({
  active: boolString.optional(),
  lookup_key: z.string().optional(),
  nickname: z.string().optional(),
  metadata,
});
const listParams = listSchema({
  product: z.string().optional(),
  active: boolString.optional(),
  type: z.enum(["one_time", "recurring"]).optional(),
});

export type Price = StripeObject & {
  active: boolean;
  currency: string;
  unit_amount: number | null;
  unit_amount_decimal: string | null;
  product: string;
  type: "one_time" | "recurring";
  recurring: (Recurrence & { usage_type: "licensed" | "metered"; meter: string | null }) | null;
  metadata: Record<string, string>;
};

export const prices = new Hono<AppEnv>()
  .post("/", (c) => {
    const params = parseParams(createParams, c.var.params);
    const store = c.var.store;
    if (params.product && params.product_data) {
      throw invalidRequest("You may only specify one of these parameters: product, product_data.", "product");
    }
    let productId = params.product;
    if (productId) store.get("product", productId, "product");
    else if (params.product_data) productId = createProduct(store, params.product_data).id;
    else throw invalidRequest("Missing required param: product.", "product");
    if (params.unit_amount !== undefined && params.unit_amount_decimal !== undefined) {
      throw invalidRequest("You may only specify one of these parameters: unit_amount, unit_amount_decimal.", "unit_amount");
    }
    if (params.unit_amount === undefined && params.unit_amount_decimal === undefined) {
      throw invalidRequest("Missing required param: unit_amount.", "unit_amount");
    }
    if (params.unit_amount !== undefined && params.unit_amount < 0) {
      throw invalidRequest("Invalid integer: unit_amount must be 0 or greater.", "unit_amount");
    }
    const metered = params.recurring?.usage_type === "metered";
    // Since 2025-03-31.basil a metered price bills what a Billing Meter counts, so it must name one.
    if (metered && !params.recurring?.meter) {
      throw invalidRequest("A meter is required when `recurring[usage_type]` is `metered`.", "recurring[meter]");
    }
    if (!metered && params.recurring?.meter) {
      throw invalidRequest("A meter can only be set on prices with `recurring[usage_type]=metered`.", "recurring[meter]");
    }
    if (params.recurring?.meter) {
      const meter = store.get<Meter>("billing.meter", params.recurring.meter, "recurring[meter]");
      if (meter.status !== "active") throw invalidRequest("You cannot attach a deactivated meter to a price.", "recurring[meter]");
    }
    const decimal = params.unit_amount_decimal ?? String(params.unit_amount);
    const whole = Number.isInteger(Number(decimal)) ? Number(decimal) : null;
    const recurring = params.recurring
      ? {
          interval: params.recurring.interval,
          interval_count: params.recurring.interval_count ?? 1,
          meter: params.recurring.meter ?? null,
          trial_period_days: null,
          usage_type: params.recurring.usage_type ?? "licensed",
        }
      : null;
    const price: Price = {
      id: newId("price"),
      object: "price",
      active: params.active ?? true,
      billing_scheme: "per_unit",
      created: store.now(),
      currency: params.currency.toLowerCase(),
      custom_unit_amount: null,
      livemode: false,
      lookup_key: params.lookup_key ?? null,
      metadata: params.metadata ?? {},
      nickname: params.nickname ?? null,
      product: productId,
      recurring,
      tax_behavior: "unspecified",
      tiers_mode: null,
      transform_quantity: null,
      type: recurring ? "recurring" : "one_time",
      unit_amount: whole,
      unit_amount_decimal: decimal,
    };
    store.insert("price", price);
    emitEvent(store, "price.created", price);
    return respond(c, price);
  })
  .get("/", (c) => {
    const params = parseParams(listParams, c.var.params);
    const matches = c.var.store
      .all<Price>("price")
      .filter(
        (p) =>
          (params.product === undefined || p.product === params.product) &&
          (params.active === undefined || p.active === params.active) &&
          (params.type === undefined || p.type === params.type),
      );
    return respondList(c, matches, params);
  })
  .get("/:id", (c) => respond(c, c.var.store.get("price", c.req.param("id"))))
  .post("/:id", (c) => {
    const params = parseParams(updateParams, c.var.params);
    const current = c.var.store.get<Price>("price", c.req.param("id"));
    const next: Price = {
      ...current,
      active: params.active ?? current.active,
      lookup_key: updated(params.lookup_key, current.lookup_key),
      nickname: updated(params.nickname, current.nickname),
      metadata: mergeMetadata(current.metadata, params.metadata),
    };
    c.var.store.update(next);
    emitEvent(c.var.store, "price.updated", next);
    return respond(c, next);
  });
