import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { emitEvent } from "../events";
import { newId } from "../ids";
import { boolString, mergeMetadata, metadata, parseParams } from "../params";
import type { ObjectStore, StripeObject } from "../store";
import { listSchema, paramsSchema, respond, respondList, updated } from "./common";

const createParams = paramsSchema({
  id: z.string().optional(),
  name: z.string().min(1),
  description: z.string().optional(),
  active: boolString.optional(),
  metadata,
});
const updateParams = paramsSchema({
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  active: boolString.optional(),
  metadata,
});
const listParams = listSchema({ active: boolString.optional() });

export type Product = StripeObject & { active: boolean; name: string; metadata: Record<string, string> };

export function createProduct(
  store: ObjectStore,
  params: { id?: string; name: string; description?: string; active?: boolean; metadata?: Record<string, string> },
): Product {
  const now = store.now();
  const product: Product = {
    id: params.id ?? newId("product"),
    object: "product",
    active: params.active ?? true,
    created: now,
    default_price: null,
    description: params.description ?? null,
    images: [],
    livemode: false,
    metadata: params.metadata ?? {},
    name: params.name,
    tax_code: null,
    type: "service",
    updated: now,
    url: null,
  };
  store.insert("product", product);
  emitEvent(store, "product.created", product);
  return product;
}

export const products = new Hono<AppEnv>()
  .post("/", (c) => respond(c, createProduct(c.var.store, parseParams(createParams, c.var.params))))
  .get("/", (c) => {
    const params = parseParams(listParams, c.var.params);
    const all = c.var.store.all<Product>("product");
    return respondList(c, params.active === undefined ? all : all.filter((p) => p.active === params.active), params);
  })
  .get("/:id", (c) => respond(c, c.var.store.get("product", c.req.param("id"))))
  .post("/:id", (c) => {
    const params = parseParams(updateParams, c.var.params);
    const current = c.var.store.get<Product>("product", c.req.param("id"));
    const next: Product = {
      ...current,
      name: params.name ?? current.name,
      description: updated(params.description, current.description),
      active: params.active ?? current.active,
      metadata: mergeMetadata(current.metadata, params.metadata),
      updated: c.var.store.now(),
    };
    c.var.store.update(next);
    emitEvent(c.var.store, "product.updated", next);
    return respond(c, next);
  });
