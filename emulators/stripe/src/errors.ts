import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Stripe's error types and the HTTP status each travels with. */
export type StripeErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "card_error"
  | "idempotency_error"
  | "api_error";

export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  param?: string;
}

/** Thrown by handlers; the app's error handler turns it into `{ error: {...} }` with its status. */
export class StripeApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly body: StripeErrorBody,
  ) {
    super(body.message);
  }
}

export const invalidRequest = (message: string, param?: string, code?: string) =>
  new StripeApiError(400, { type: "invalid_request_error", message, param, code });

export const resourceMissing = (resource: string, id: string, param = "id") =>
  new StripeApiError(404, {
    type: "invalid_request_error",
    code: "resource_missing",
    param,
    message: `No such ${resource}: '${id}'`,
  });

export const authenticationError = (message: string) =>
  new StripeApiError(401, { type: "authentication_error", message });

/**
 * Stripe answers a reused key with different parameters with 400 `idempotency_error` (the SDK maps
 * that to StripeIdempotencyError); 409 is only for a key whose first request is still running.
 */
export const idempotencyMismatch = (key: string) =>
  new StripeApiError(400, {
    type: "idempotency_error",
    message:
      `Keys for idempotent requests can only be used with the same parameters they were first used with. ` +
      `Try using a key other than '${key}' if you meant to execute a different request.`,
  });

export function errorResponse(c: Context, error: StripeApiError) {
  const { type, message, code, param } = error.body;
  return c.json({ error: { type, message, ...(code ? { code } : {}), ...(param ? { param } : {}) } }, error.status);
}
