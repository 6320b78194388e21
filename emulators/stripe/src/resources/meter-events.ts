import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { invalidRequest } from "../errors";
import { randomToken } from "../ids";
import { intString, parseParams } from "../params";
import type { ObjectStore } from "../store";
import { paramsSchema } from "./common";
import type { Meter } from "./meters";

const createParams = paramsSchema({
  event_name: z.string().min(1).max(100),
  payload: z.record(z.string(), z.string()),
  identifier: z.string().min(1).max(100).optional(),
  timestamp: intString.optional(),
});

/** Stripe takes events up to 35 days old and up to 5 minutes ahead. */
const MAX_AGE_SECONDS = 35 * 86_400;
const MAX_AHEAD_SECONDS = 300;

/** Meter events live in their own table (they have no id and are only ever summed). */
export function meterUsage(store: ObjectStore, meter: Meter, customer: string, start: number, end: number): number {
  const rows = store.sql
    .exec<{ value: number }>(
      "SELECT value FROM meter_events WHERE account = ? AND event_name = ? AND customer = ? AND timestamp >= ? AND timestamp < ? ORDER BY timestamp, seq",
      store.account ?? "",
      meter.event_name,
      customer,
      start,
      end,
    )
    .toArray();
  switch (meter.default_aggregation.formula) {
    case "count":
      return rows.length;
    case "last":
      return rows.at(-1)?.value ?? 0;
    default:
      return rows.reduce((sum, row) => sum + row.value, 0);
  }
}

export const meterEvents = new Hono<AppEnv>().post("/", (c) => {
  const params = parseParams(createParams, c.var.params);
  const store = c.var.store;
  const meter = store.all<Meter>("billing.meter").find((m) => m.status === "active" && m.event_name === params.event_name);
  if (!meter) throw invalidRequest(`No active meter was found for event_name \`${params.event_name}\`.`, "event_name");
  const customerKey = meter.customer_mapping.event_payload_key;
  const valueKey = meter.value_settings.event_payload_key;
  const customer = params.payload[customerKey];
  if (!customer) throw invalidRequest(`Missing required key in payload: ${customerKey}.`, `payload[${customerKey}]`);
  // Stripe checks the customer later, asynchronously; refusing now surfaces the mistake in development.
  store.get("customer", customer, `payload[${customerKey}]`);
  const raw = params.payload[valueKey];
  const value = raw === undefined && meter.default_aggregation.formula === "count" ? 1 : Number(raw);
  if (raw !== undefined && !/^-?\d+(\.\d+)?$/.test(raw)) {
    throw invalidRequest(`The payload value for ${valueKey} must be a number.`, `payload[${valueKey}]`);
  }
  if (raw === undefined && meter.default_aggregation.formula !== "count") {
    throw invalidRequest(`Missing required key in payload: ${valueKey}.`, `payload[${valueKey}]`);
  }
  const now = store.now();
  const timestamp = params.timestamp ?? now;
  if (timestamp < now - MAX_AGE_SECONDS || timestamp > now + MAX_AHEAD_SECONDS) {
    throw invalidRequest("The timestamp must be within the past 35 calendar days or up to 5 minutes in the future.", "timestamp");
  }
  const identifier = params.identifier ?? randomToken(24);
  const account = store.account ?? "";
  const seen = store.sql
    .exec("SELECT 1 FROM meter_events WHERE account = ? AND event_name = ? AND identifier = ?", account, params.event_name, identifier)
    .toArray().length;
  // Like Stripe, a repeated identifier is refused rather than counted twice; the first value stands.
  if (seen) throw invalidRequest(`An event already exists with identifier ${identifier}.`, "identifier");
  store.sql.exec(
    "INSERT INTO meter_events (account, event_name, identifier, customer, value, timestamp) VALUES (?, ?, ?, ?, ?, ?)",
    account,
    params.event_name,
    identifier,
    customer,
    value,
    timestamp,
  );
  return c.json({
    object: "billing.meter_event",
    created: now,
    event_name: params.event_name,
    identifier,
    livemode: false,
    payload: params.payload,
    timestamp,
  });
});
