import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { orgs } from "../orgs/tables";

/**
 * Authors' webhook endpoints. The signing secret is sealed (AES-256-GCM); after a rotation the
 * previous one is kept, sealed, for 24 hours and deliveries carry both signatures meanwhile.
 */
export const webhookEndpoints = sqliteTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    description: text("description").notNull(),
    /** Event types delivered; null: every type. */
    eventTypes: text("event_types", { mode: "json" }).$type<string[] | null>(),
    enabled: integer("enabled", { mode: "boolean" }).notNull(),
    /** Why Plaza disabled it (410 Gone, failing for 5 days); null when enabled or disabled by hand. */
    disabledReason: text("disabled_reason"),
    /** Deliveries per second at most; null: no limit. */
    rateLimit: integer("rate_limit"),
    secret: text("secret").notNull(),
    previousSecret: text("previous_secret"),
    previousSecretExpiresAt: integer("previous_secret_expires_at"),
    /** The first failure since the last success: 5 days of nothing but failures disables it. */
    failingSince: integer("failing_since"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("webhook_endpoints_org_idx").on(t.orgId, t.createdAt)],
);

/** The webhook outbox: one row per event, written in the same batch as the change it reports. */
export const webhookEvents = sqliteTable(
  "webhook_events",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    type: text("type").notNull(),
    /** The delivered body, exactly: `{ type, timestamp, data }` as JSON. */
    payload: text("payload").notNull(),
    createdAt: integer("created_at").notNull(),
    /** When the dispatcher fanned it out to the org's endpoints; null until then. */
    dispatchedAt: integer("dispatched_at"),
  },
  (t) => [index("webhook_events_org_idx").on(t.orgId, t.createdAt), index("webhook_events_dispatch_idx").on(t.dispatchedAt, t.createdAt)],
);

/** One event to one endpoint. Its id is derived from the pair, so a re-dispatch adds nothing. */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    eventId: text("event_id")
      .notNull()
      .references(() => webhookEvents.id, { onDelete: "cascade" }),
    endpointId: text("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    orgId: text("org_id").notNull(),
    /** `skipped`: not sent, the endpoint was disabled when the event was dispatched; `recover` sends it. */
    status: text("status", { enum: ["pending", "delivered", "failed", "skipped"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    /** A consumer holding the delivery until then; a duplicate queue message waits it out. */
    leasedUntil: integer("leased_until"),
    nextAttemptAt: integer("next_attempt_at"),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    deliveredAt: integer("delivered_at"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_pair_idx").on(t.eventId, t.endpointId),
    index("webhook_deliveries_endpoint_idx").on(t.endpointId, t.status, t.createdAt),
  ],
);

/** Every attempt, with what the endpoint answered (first 2 KB). (delivery, attempt) is unique. */
export const webhookAttempts = sqliteTable(
  "webhook_attempts",
  {
    id: text("id").primaryKey(),
    deliveryId: text("delivery_id")
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    eventId: text("event_id").notNull(),
    endpointId: text("endpoint_id").notNull(),
    orgId: text("org_id").notNull(),
    attempt: integer("attempt").notNull(),
    statusCode: integer("status_code"),
    latencyMs: integer("latency_ms").notNull(),
    response: text("response"),
    error: text("error"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("webhook_attempts_delivery_idx").on(t.deliveryId, t.attempt),
    index("webhook_attempts_endpoint_idx").on(t.endpointId, t.createdAt),
    index("webhook_attempts_event_idx").on(t.eventId, t.createdAt),
  ],
);
