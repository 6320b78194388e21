import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { invalidRequest, resourceMissing } from "../errors";
import { boolString, mergeMetadata, metadata, parseParams } from "../params";
import { addEndpoint, endpointObject, findEndpoint, listEndpoints, removeEndpoint, saveEndpoint } from "../webhooks/endpoints";
import { listSchema, paramsSchema, respondList } from "./common";

/** `*` or a dotted event type such as `invoice.paid`. */
const eventType = z.string().regex(/^(\*|[a-z_]+(\.[a-z_]+)+)$/, "must be `*` or an event type");

const createParams = paramsSchema({
  url: z.string().url(),
  enabled_events: z.array(eventType).min(1),
  connect: boolString.optional(),
  description: z.string().optional(),
  api_version: z.string().optional(),
  metadata,
});
const updateParams = paramsSchema({
  url: z.string().url().optional(),
  enabled_events: z.array(eventType).min(1).optional(),
  description: z.string().optional(),
  disabled: boolString.optional(),
  metadata,
});
const listParams = listSchema({});

function endpointOr404(store: AppEnv["Variables"]["store"], id: string) {
  const endpoint = findEndpoint(store, id);
  if (!endpoint) throw resourceMissing("webhook endpoint", id);
  return endpoint;
}

/**
 * Stripe's webhook endpoint API. These share one table with the `/_emulator` and env-configured
 * endpoints; the signing secret is shown only in the answer to create, as in Stripe.
 */
export const webhookEndpoints = new Hono<AppEnv>()
  .post("/", (c) => {
    const params = parseParams(createParams, c.var.params);
    if (c.var.store.account) throw invalidRequest("Webhook endpoints are created by the platform, without a Stripe-Account header.");
    const endpoint = addEndpoint(c.var.store, {
      url: params.url,
      connect: params.connect,
      enabledEvents: params.enabled_events,
      description: params.description ?? null,
      metadata: params.metadata,
    });
    return c.json(endpointObject(endpoint, true));
  })
  .get("/", (c) => {
    const params = parseParams(listParams, c.var.params);
    // Newest first, like every Stripe list.
    return respondList(
      c,
      listEndpoints(c.var.store)
        .reverse()
        .map((endpoint) => endpointObject(endpoint)),
      params,
    );
  })
  .get("/:id", (c) => c.json(endpointObject(endpointOr404(c.var.store, c.req.param("id")))))
  .post("/:id", (c) => {
    const params = parseParams(updateParams, c.var.params);
    const current = endpointOr404(c.var.store, c.req.param("id"));
    const next = {
      ...current,
      url: params.url ?? current.url,
      enabled_events: params.enabled_events ?? current.enabled_events,
      description: params.description === undefined ? current.description : params.description || null,
      metadata: mergeMetadata(current.metadata, params.metadata),
      status: params.disabled === undefined ? current.status : params.disabled ? ("disabled" as const) : ("enabled" as const),
    };
    saveEndpoint(c.var.store, next);
    return c.json(endpointObject(next));
  })
  .delete("/:id", (c) => {
    const id = c.req.param("id");
    endpointOr404(c.var.store, id);
    removeEndpoint(c.var.store, id);
    return c.json({ id, object: "webhook_endpoint", deleted: true });
  });
