import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * One row per `Idempotency-Key` of a principal (`user:<id>`, or `anon`): claimed `running` by the
 * first request (`claim` names that request), `done` with its response sealed (AES-256-GCM: it may
 * hold tokens or secrets). Purged 24 hours after `created_at`.
 */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    /** SHA-256 (hex) of method, path with query and the body's SHA-256. */
    fingerprint: text("fingerprint").notNull(),
    claim: text("claim").notNull(),
    state: text("state", { enum: ["running", "done"] }).notNull(),
    response: text("response"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index("idempotency_keys_created_idx").on(t.createdAt)],
);
