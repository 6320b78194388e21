import { createMiddleware } from "hono/factory";
import { apiKeyOf } from "./auth";
import type { AppEnv } from "./context";
import { authenticationError, StripeApiError } from "./errors";
import type { ObjectStore } from "./store";

/**
 * Trouble on Stripe's side that no request can cause, switched on through `/_emulator/faults` so
 * tests can see how an app copes: each answers as Stripe does, before the request reaches its
 * endpoint (so nothing is saved under its Idempotency-Key and a retry runs for real).
 */
export const FAULT_KINDS = ["rate_limit", "api_error", "expired_key", "missing_permission"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const masked = (key: string) => `${key.slice(0, 8)}****${key.slice(-4)}`;

function faultError(kind: FaultKind, key: string, method: string, path: string): StripeApiError {
  switch (kind) {
    case "rate_limit":
      // 429 is what makes the SDK raise StripeRateLimitError; it does not retry it on its own.
      return new StripeApiError(429, {
        type: "invalid_request_error",
        code: "rate_limit",
        message: "Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.",
      });
    case "api_error":
      return new StripeApiError(500, {
        type: "api_error",
        message:
          "Sorry, something went wrong. We've already been notified of the problem, but if you need any help, you can reach us at support.stripe.com/contact.",
      });
    case "expired_key":
      return authenticationError(`Expired API Key provided: ${masked(key)}`, "api_key_expired");
    case "missing_permission":
      return new StripeApiError(403, {
        type: "invalid_request_error",
        message: `The provided key '${masked(key)}' does not have the required permissions for this endpoint (${method} ${path}).`,
      });
  }
}

export function addFault(store: ObjectStore, fault: { kind: FaultKind; method?: string; path?: string; times: number }) {
  const row = store.sql
    .exec<{ id: number }>(
      "INSERT INTO faults (kind, method, path, remaining) VALUES (?, ?, ?, ?) RETURNING id",
      fault.kind,
      fault.method?.toUpperCase() ?? null,
      fault.path ?? null,
      fault.times,
    )
    .one();
  return { id: row.id, kind: fault.kind, method: fault.method?.toUpperCase() ?? null, path: fault.path ?? null, remaining: fault.times };
}

export function clearFaults(store: ObjectStore) {
  store.sql.exec("DELETE FROM faults");
}

/** The oldest fault matching the request (method and path, when given), one use of it spent. */
function takeFault(store: ObjectStore, method: string, path: string): FaultKind | undefined {
  const row = store.sql
    .exec<{ id: number; kind: FaultKind }>(
      "SELECT id, kind FROM faults WHERE remaining > 0 AND (method IS NULL OR method = ?) AND (path IS NULL OR path = ?) ORDER BY id LIMIT 1",
      method,
      path,
    )
    .toArray()[0];
  if (!row) return undefined;
  store.sql.exec("UPDATE faults SET remaining = remaining - 1 WHERE id = ?", row.id);
  store.sql.exec("DELETE FROM faults WHERE remaining <= 0");
  return row.kind;
}

/** Answers an API request with a pending fault, if one matches; runs after the key check. */
export const injectFaults = createMiddleware<AppEnv>(async (c, next) => {
  const kind = takeFault(c.var.store, c.req.method, c.req.path);
  if (!kind) return next();
  // Read the body all the same: answering before it is read leaves the sender's stream dangling.
  await c.req.raw.arrayBuffer();
  throw faultError(kind, apiKeyOf(c.req.header("authorization") ?? "") ?? "", c.req.method, c.req.path);
});
