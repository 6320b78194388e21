import { resourceMissing } from "./errors";
import type { ObjectType } from "./ids";

/** Any Stripe object as stored: its public JSON. */
export type StripeObject = { id: string; object: string; [field: string]: unknown };

const SCHEMA = `
CREATE TABLE IF NOT EXISTS objects (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  internal TEXT
);
CREATE INDEX IF NOT EXISTS objects_by_type ON objects (type, seq);
CREATE TABLE IF NOT EXISTS idempotency_keys (
  key TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS webhook_endpoints (
  id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  secret TEXT NOT NULL,
  created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL,
  endpoint_id TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_response_status INTEGER
);
CREATE INDEX IF NOT EXISTS deliveries_due ON webhook_deliveries (status, next_attempt_at);
`;

/** Readable names for "No such …" messages. */
const RESOURCE_NAMES: Partial<Record<ObjectType, string>> = {
  "checkout.session": "checkout.session",
  payment_intent: "payment_intent",
};

/**
 * Objects in the Durable Object's SQLite, one row each. `internal` keeps what Stripe knows but does not
 * show on the object (a session's line items, its payment_intent_data until payment).
 */
export class ObjectStore {
  constructor(readonly sql: SqlStorage) {
    sql.exec(SCHEMA);
  }

  insert<T extends StripeObject>(type: ObjectType, object: T, internal?: unknown): T {
    this.sql.exec(
      "INSERT INTO objects (id, type, data, internal) VALUES (?, ?, ?, ?)",
      object.id,
      type,
      JSON.stringify(object),
      internal === undefined ? null : JSON.stringify(internal),
    );
    return object;
  }

  /** Replaces the object's public JSON, keeping its place in list order. */
  update<T extends StripeObject>(object: T): T {
    this.sql.exec("UPDATE objects SET data = ? WHERE id = ?", JSON.stringify(object), object.id);
    return object;
  }

  find<T extends StripeObject = StripeObject>(type: ObjectType, id: string): T | undefined {
    const row = this.sql.exec<{ data: string }>("SELECT data FROM objects WHERE id = ? AND type = ?", id, type).toArray()[0];
    return row ? (JSON.parse(row.data) as T) : undefined;
  }

  get<T extends StripeObject = StripeObject>(type: ObjectType, id: string, param = "id"): T {
    const found = this.find<T>(type, id);
    if (!found) throw resourceMissing(RESOURCE_NAMES[type] ?? type, id, param);
    return found;
  }

  internal<T>(id: string): T | undefined {
    const row = this.sql.exec<{ internal: string | null }>("SELECT internal FROM objects WHERE id = ?", id).toArray()[0];
    return row?.internal ? (JSON.parse(row.internal) as T) : undefined;
  }

  /** Every object of a type, newest first (Stripe's list order). */
  all<T extends StripeObject = StripeObject>(type: ObjectType): T[] {
    return this.sql
      .exec<{ data: string }>("SELECT data FROM objects WHERE type = ? ORDER BY seq DESC", type)
      .toArray()
      .map((row) => JSON.parse(row.data) as T);
  }
}
