import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "./context";
import { invalidRequest } from "./errors";
import { decodeFormString } from "./form";
import { parseParams } from "./params";
import { listDeliveries } from "./webhooks/delivery";
import { addEndpoint, listEndpoints, removeEndpoint } from "./webhooks/endpoints";

const endpointParams = z.object({ url: z.string().url(), secret: z.string().min(1).optional() }).strict();

/** Emulator-only routes (no Stripe equivalent): where to send events, and what was sent. */
export const admin = new Hono<AppEnv>()
  .post("/webhook_endpoints", async (c) => {
    const json = (c.req.header("content-type") ?? "").includes("application/json");
    const body = json ? await c.req.json() : decodeFormString(await c.req.text());
    const params = parseParams(endpointParams, body);
    return c.json(addEndpoint(c.env.store, params.url, params.secret));
  })
  .get("/webhook_endpoints", (c) => c.json({ data: listEndpoints(c.env.store) }))
  .delete("/webhook_endpoints/:id", (c) => {
    if (!removeEndpoint(c.env.store, c.req.param("id"))) throw invalidRequest("No such webhook endpoint", "id", "resource_missing");
    return c.json({ id: c.req.param("id"), deleted: true });
  })
  .get("/webhook_deliveries", (c) => c.json({ data: listDeliveries(c.env.store, c.req.query("event")) }));
