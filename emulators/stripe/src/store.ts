import { Clock } from "./clock";
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
  internal TEXT,
  account TEXT
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
  created INTEGER NOT NULL,
  enabled_events TEXT NOT NULL DEFAULT '["*"]',
  connect INTEGER NOT NULL DEFAULT 0,
  description TEXT,
  metadata TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL DEFAULT 'enabled'
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
CREATE TABLE IF NOT EXISTS meter_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  account TEXT NOT NULL,
  event_name TEXT NOT NULL,
  identifier TEXT NOT NULL,
  customer TEXT NOT NULL,
  value REAL NOT NULL,
  timestamp INTEGER NOT NULL,
  UNIQUE (account, event_name, identifier)
);
CREATE INDEX IF NOT EXISTS meter_events_by_customer ON meter_events (account, event_name, customer, timestamp);
CREATE TABLE IF NOT EXISTS faults (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  method TEXT,
  path TEXT,
  remaining INTEGER NOT NULL
);
`;

/** Columns added after the first slice; state persisted by `wrangler dev` gains them on start. */
const ADDED_COLUMNS = [
  "ALTER TABLE objects ADD COLUMN account TEXT",
  `ALTER TABLE webhook_endpoints ADD COLUMN enabled_events TEXT NOT NULL DEFAULT '["*"]'`,
  "ALTER TABLE webhook_endpoints ADD COLUMN connect INTEGER NOT NULL DEFAULT 0",
  "ALTER TABLE webhook_endpoints ADD COLUMN description TEXT",
  "ALTER TABLE webhook_endpoints ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}'",
  "ALTER TABLE webhook_endpoints ADD COLUMN status TEXT NOT NULL DEFAULT 'enabled'",
];

function migrate(sql: SqlStorage) {
  sql.exec(SCHEMA);
  for (const statement of ADDED_COLUMNS) {
    try {
      sql.exec(statement);
    } catch {
      // The column exists already.
    }
  }
}

/** Objects every account sees the same way: Connect accounts belong to the platform, whoever asks. */
const PLATFORM_TYPES = new Set<ObjectType>(["account", "account_link"]);

/** Readable names for "No such …" messages. */
const RESOURCE_NAMES: Partial<Record<ObjectType, string>> = {
  "checkout.session": "checkout.session",
  payment_intent: "payment_intent",
  "billing.meter": "billing.meter",
  "test_helpers.test_clock": "test_clock",
};

/**
 * Objects in the Durable Object's SQLite, one row each. `internal` keeps what Stripe knows but does not
 * show on the object (a session's line items, its payment_intent_data until payment). A store is
 * scoped to one account: the platform (`account` null) or a connected account named by the
 * `Stripe-Account` header, and sees only that account's objects, as in Stripe.
 */
export class ObjectStore {
  readonly clock: Clock;

  constructor(
    readonly sql: SqlStorage,
    readonly account: string | null = null,
    clock?: Clock,
  ) {
    if (!clock) migrate(sql);
    this.clock = clock ?? new Clock(sql);
  }

  /** The same storage seen as another account (null: the platform). */
  forAccount(account: string | null): ObjectStore {
    return account === this.account ? this : new ObjectStore(this.sql, account, this.clock);
  }

  /** Emulator time in unix seconds (see Clock). */
  now(): number {
    return this.clock.now();
  }

  private scope(type: ObjectType): string | null {
    return PLATFORM_TYPES.has(type) ? null : this.account;
  }

  insert<T extends StripeObject>(type: ObjectType, object: T, internal?: unknown): T {
    this.sql.exec(
      "INSERT INTO objects (id, type, data, internal, account) VALUES (?, ?, ?, ?, ?)",
      object.id,
      type,
      JSON.stringify(object),
      internal === undefined ? null : JSON.stringify(internal),
      this.scope(type),
    );
    return object;
  }

  /** Replaces the object's public JSON, keeping its place in list order. */
  update<T extends StripeObject>(object: T): T {
    this.sql.exec("UPDATE objects SET data = ? WHERE id = ?", JSON.stringify(object), object.id);
    return object;
  }

  find<T extends StripeObject = StripeObject>(type: ObjectType, id: string): T | undefined {
    const row = this.sql
      .exec<{ data: string }>("SELECT data FROM objects WHERE id = ? AND type = ? AND account IS ?", id, type, this.scope(type))
      .toArray()[0];
    return row ? (JSON.parse(row.data) as T) : undefined;
  }

  /** The object or Stripe's "No such …" error: 404 for the URL's own id, 400 for an id given as a param. */
  get<T extends StripeObject = StripeObject>(type: ObjectType, id: string, param = "id"): T {
    const found = this.find<T>(type, id);
    if (!found) throw resourceMissing(RESOURCE_NAMES[type] ?? type, id, param);
    return found;
  }

  internal<T>(id: string): T | undefined {
    const row = this.sql.exec<{ internal: string | null }>("SELECT internal FROM objects WHERE id = ?", id).toArray()[0];
    return row?.internal ? (JSON.parse(row.internal) as T) : undefined;
  }

  setInternal(id: string, internal: unknown): void {
    this.sql.exec("UPDATE objects SET internal = ? WHERE id = ?", JSON.stringify(internal), id);
  }

  /** Every object of a type in this account, newest first (Stripe's list order). */
  all<T extends StripeObject = StripeObject>(type: ObjectType): T[] {
    return this.sql
      .exec<{ data: string }>("SELECT data FROM objects WHERE type = ? AND account IS ? ORDER BY seq DESC", type, this.scope(type))
      .toArray()
      .map((row) => JSON.parse(row.data) as T);
  }

  /** An object in whichever account holds it, for emulator-wide work (webhook delivery, hosted pages). */
  findInAnyAccount<T extends StripeObject = StripeObject>(type: ObjectType, id: string): T | undefined {
    const owner = this.ownerOf(type, id);
    return owner ? this.forAccount(owner.account).find<T>(type, id) : undefined;
  }

  /** The account an object of any account lives in, for emulator-wide work (renewals, admin routes). */
  ownerOf(type: ObjectType, id: string): { account: string | null } | undefined {
    return this.sql.exec<{ account: string | null }>("SELECT account FROM objects WHERE id = ? AND type = ?", id, type).toArray()[0];
  }

  /** Every account (null: the platform) holding objects of a type. */
  accountsWith(type: ObjectType): (string | null)[] {
    return this.sql
      .exec<{ account: string | null }>("SELECT DISTINCT account FROM objects WHERE type = ?", type)
      .toArray()
      .map((row) => row.account);
  }
}
