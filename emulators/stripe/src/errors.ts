import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Stripe's error types and the HTTP status each travels with. */
export type StripeErrorType = "invalid_request_error" | "authentication_error" | "card_error" | "idempotency_error" | "api_error";

export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  param?: string;
  /** Card errors name the bank's reason and the failed charge, as Stripe's do. */
  decline_code?: string;
  charge?: string;
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

/** A missing object named in the URL is a 404; one named by a request param is a 400, as in Stripe. */
export const resourceMissing = (resource: string, id: string, param = "id") =>
  new StripeApiError(param === "id" ? 404 : 400, {
    type: "invalid_request_error",
    code: "resource_missing",
    param,
    message: `No such ${resource}: '${id}'`,
  });

/** A declined card: 402, which the SDK raises as StripeCardError. */
export const cardDeclined = (charge: string, code = "card_declined", message = "Your card was declined.") =>
  new StripeApiError(402, {
    type: "card_error",
    code,
    decline_code: code === "card_declined" ? "generic_decline" : undefined,
    message,
    charge,
  });

/** A `Stripe-Account` header naming an account that is not connected to this platform. */
export const accountInvalid = (account: string) =>
  new StripeApiError(403, {
    type: "invalid_request_error",
    code: "account_invalid",
    message:
      `The provided key 'sk_test_****' does not have access to account '${account}' (or that account does not exist). ` +
      "Application access may have been revoked.",
  });

export const authenticationError = (message: string, code?: string) =>
  new StripeApiError(401, { type: "authentication_error", message, code });

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

/**
 * A second request with a key whose first request is still running: 409, which the SDK retries
 * (with the same key) until the first one's saved answer can be replayed.
 */
export const idempotencyInProgress = (key: string) =>
  new StripeApiError(409, {
    type: "idempotency_error",
    message:
      `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, ` +
      `and the other request is still going through): ${key}. Please try again later.`,
  });

export function errorResponse(c: Context, error: StripeApiError) {
  const body = Object.fromEntries(Object.entries(error.body).filter(([, value]) => value !== undefined));
  return c.json({ error: body }, error.status);
}
