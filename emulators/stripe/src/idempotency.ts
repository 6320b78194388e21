import { idempotencyInProgress, idempotencyMismatch } from "./errors";
import type { ObjectStore } from "./store";

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

/** A claimed key whose request never finished (the object was reset mid-request) is free again after this. */
const CLAIM_LIFETIME_MS = 60 * 1000;
/** `status` of a key whose first request is still running. */
const RUNNING = 0;

/**
 * The saved response for a key, if the same request was made before; otherwise the key is claimed
 * for this request. A reused key with different params is an idempotency_error, and one whose first
 * request is still running a 409: requests interleave at every await, so without the claim two
 * concurrent requests with one key would both run.
 */
export function claimOrReplay(store: ObjectStore, key: string, print: string): SavedResponse | undefined {
  const now = Date.now();
  store.sql.exec(
    "DELETE FROM idempotency_keys WHERE created < ? OR (status = ? AND created < ?)",
    now - KEY_LIFETIME_MS,
    RUNNING,
    now - CLAIM_LIFETIME_MS,
  );
  const row = store.sql
    .exec<{ fingerprint: string; status: number; body: string }>(
      "SELECT fingerprint, status, body FROM idempotency_keys WHERE key = ?",
      key,
    )
    .toArray()[0];
  if (!row) {
    store.sql.exec(
      "INSERT INTO idempotency_keys (key, fingerprint, status, body, created) VALUES (?, ?, ?, '', ?)",
      key,
      print,
      RUNNING,
      now,
    );
    return undefined;
  }
  if (row.fingerprint !== print) throw idempotencyMismatch(key);
  if (row.status === RUNNING) throw idempotencyInProgress(key);
  return { status: row.status, body: row.body };
}

/**
 * Saves the claimed key's response for replay. Like Stripe, only requests that ran are saved:
 * validation errors (400/401/404) are not, so a corrected retry with the same key works.
 */
export function remember(store: ObjectStore, key: string, print: string, response: SavedResponse) {
  if (response.status >= 400 && response.status !== 402 && response.status < 500) {
    store.sql.exec("DELETE FROM idempotency_keys WHERE key = ? AND status = ?", key, RUNNING);
    return;
  }
  store.sql.exec(
    "INSERT OR REPLACE INTO idempotency_keys (key, fingerprint, status, body, created) VALUES (?, ?, ?, ?, ?)",
    key,
    print,
    response.status,
    response.body,
    Date.now(),
  );
}
