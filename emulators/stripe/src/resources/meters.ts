import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { invalidRequest } from "../errors";
import { newId } from "../ids";
import { intString, parseParams } from "../params";
import type { StripeObject } from "../store";
import { listSchema, paramsSchema, respond, respondList } from "./common";
import { meterUsage } from "./meter-events";

const createParams = paramsSchema({
  display_name: z.string().min(1),
  event_name: z.string().min(1).max(100),
  default_aggregation: z.object({ formula: z.enum(["sum", "count", "last"]) }).strict(),
  customer_mapping: z
    .object({ event_payload_key: z.string().min(1), type: z.literal("by_id") })
    .strict()
    .optional(),
  value_settings: z
    .object({ event_payload_key: z.string().min(1) })
    .strict()
    .optional(),
  event_time_window: z.enum(["day", "hour"]).optional(),
});
const updateParams = paramsSchema({ display_name: z.string().min(1).optional() });
const listParams = listSchema({ status: z.enum(["active", "inactive"]).optional() });
const summaryParams = listSchema({
  customer: z.string(),
  start_time: intString,
  end_time: intString,
  value_grouping_window: z.enum(["day", "hour"]).optional(),
});

export type Meter = StripeObject & {
  event_name: string;
  status: "active" | "inactive";
  default_aggregation: { formula: "sum" | "count" | "last" };
  customer_mapping: { event_payload_key: string; type: "by_id" };
  value_settings: { event_payload_key: string };
};

const WINDOW_SECONDS = { hour: 3_600, day: 86_400 } as const;

export const meters = new Hono<AppEnv>()
  .post("/", (c) => {
    const params = parseParams(createParams, c.var.params);
    const store = c.var.store;
    if (store.all<Meter>("billing.meter").some((m) => m.status === "active" && m.event_name === params.event_name)) {
      throw invalidRequest(`An active meter with event_name \`${params.event_name}\` already exists.`, "event_name");
    }
    const now = store.now();
    const meter: Meter = {
      id: newId("billing.meter"),
      object: "billing.meter",
      created: now,
      customer_mapping: params.customer_mapping ?? { event_payload_key: "stripe_customer_id", type: "by_id" },
      default_aggregation: params.default_aggregation,
      display_name: params.display_name,
      event_name: params.event_name,
      event_time_window: params.event_time_window ?? null,
      livemode: false,
      status: "active",
      status_transitions: { deactivated_at: null },
      updated: now,
      value_settings: params.value_settings ?? { event_payload_key: "value" },
    };
    store.insert("billing.meter", meter);
    return respond(c, meter);
  })
  .get("/", (c) => {
    const params = parseParams(listParams, c.var.params);
    const all = c.var.store.all<Meter>("billing.meter");
    return respondList(c, params.status ? all.filter((m) => m.status === params.status) : all, params);
  })
  .get("/:id", (c) => respond(c, c.var.store.get("billing.meter", c.req.param("id"))))
  .post("/:id", (c) => {
    const params = parseParams(updateParams, c.var.params);
    const store = c.var.store;
    const current = store.get<Meter>("billing.meter", c.req.param("id"));
    const next: Meter = { ...current, display_name: params.display_name ?? current.display_name, updated: store.now() };
    return respond(c, store.update(next));
  })
  .post("/:id/:action{deactivate|reactivate}", (c) => {
    parseParams(paramsSchema({}), c.var.params);
    const store = c.var.store;
    const current = store.get<Meter>("billing.meter", c.req.param("id"));
    const active = c.req.param("action") === "reactivate";
    const next: Meter = {
      ...current,
      status: active ? "active" : "inactive",
      status_transitions: { deactivated_at: active ? null : store.now() },
      updated: store.now(),
    };
    return respond(c, store.update(next));
  })
  .get("/:id/event_summaries", (c) => {
    const params = parseParams(summaryParams, c.var.params);
    const store = c.var.store;
    const meter = store.get<Meter>("billing.meter", c.req.param("id"));
    store.get("customer", params.customer, "customer");
    // Stripe aggregates over whole minutes (or whole windows when grouping), and refuses other bounds.
    const step = params.value_grouping_window ? WINDOW_SECONDS[params.value_grouping_window] : 60;
    for (const param of ["start_time", "end_time"] as const) {
      if (params[param] % step !== 0) {
        throw invalidRequest(`${param} must be aligned with ${params.value_grouping_window ?? "minute"} boundaries.`, param);
      }
    }
    if (params.end_time <= params.start_time) throw invalidRequest("end_time must be after start_time.", "end_time");
    const windows: [number, number][] = params.value_grouping_window
      ? Array.from({ length: (params.end_time - params.start_time) / step }, (_, i) => [
          params.start_time + i * step,
          params.start_time + (i + 1) * step,
        ])
      : [[params.start_time, params.end_time]];
    const summaries = windows
      .map(([start, end]) => ({
        id: newId("billing.meter_event_summary"),
        object: "billing.meter_event_summary",
        aggregated_value: meterUsage(store, meter, params.customer, start, end),
        end_time: end,
        livemode: false,
        meter: meter.id,
        start_time: start,
      }))
      .reverse();
    return respondList(c, summaries, params);
  });
