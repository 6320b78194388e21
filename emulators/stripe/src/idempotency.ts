import type { ObjectStore } from "./store";
import { idempotencyMismatch } from "./errors";

/** Stripe keeps idempotency keys for 24 hours. */
const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;

export interface SavedResponse {
  status: number;
  body: string;
}

/** What makes two requests "the same": method, path and the decoded params in a stable key order. */
export function fingerprint(method: string, path: string, params: unknown): string {
  return `${method} ${path} ${stableJson(params)}`;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * The saved response for a key, if the same request was made before; a reused key with different
 * params is an idempotency_error.
 */
export function replay(store: ObjectStore, key: string, print: string): SavedResponse | undefined {
  store.sql.exec("DELETE FROM idempotency_keys WHERE created < ?", Date.now() - KEY_LIFETIME_MS);
  const row = store.sql
    .exec<{ fingerprint: string; status: number; body: string }>(
      "SELECT fingerprint, status, body FROM idempotency_keys WHERE key = ?",
      key,
    )
    .toArray()[0];
  if (!row) return undefined;
  if (row.fingerprint !== print) throw idempotencyMismatch(key);
  return { status: row.status, body: row.body };
}

/**
 * Saves a response for replay. Like Stripe, only requests that ran are saved: validation errors
 * (400/401/404) are not, so a corrected retry with the same key works.
 */
export function remember(store: ObjectStore, key: string, print: string, response: SavedResponse) {
  if (response.status >= 400 && response.status !== 402 && response.status < 500) return;
  store.sql.exec(
    "INSERT OR REPLACE INTO idempotency_keys (key, fingerprint, status, body, created) VALUES (?, ?, ?, ?, ?)",
    key,
    print,
    response.status,
    response.body,
    Date.now(),
  );
}
