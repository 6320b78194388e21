/**
 * Stable error codes and the HTTP status each one maps to. Clients switch on `code`, never on
 * `message`, so codes are never renamed; add new ones instead.
 */
export const ERROR_STATUS = {
  invalid_request: 400,
  unauthenticated: 401,
  token_expired: 401,
  token_invalid: 401,
  token_revoked: 401,
  invalid_credentials: 401,
  /** A room callback (or a room control request) whose signature is missing, stale or wrong. */
  invalid_signature: 401,
  email_not_verified: 403,
  forbidden: 403,
  insufficient_scope: 403,
  /** Installing an item into a project needs an active entitlement to it. */
  entitlement_required: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  last_owner: 409,
  /** The seller's Stripe account cannot take charges yet (onboarding unfinished or disabled). */
  charges_disabled: 409,
  gone: 410,
  payload_too_large: 413,
  /** A project document (snapshot) over the room document cap. */
  document_too_large: 413,
  unsupported_media_type: 415,
  /** A `Range` that starts past the end of the file; `Content-Range` then gives the size. */
  range_not_satisfiable: 416,
  unprocessable: 422,
  rate_limited: 429,
  internal_error: 500,
  /** Stripe (or another provider) failed or was unreachable; safe to retry. */
  upstream_error: 502,
  /** The collaboration rooms server could not be reached; safe to retry. */
  rooms_unavailable: 503,
  /** This deployment has no Stripe key configured, so nothing can be bought or paid out. */
  payments_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorEnvelope {
  error: {
    code: ErrorCode;
    message: string;
    requestId: string;
    /** Per-field messages for `invalid_request`, keyed by dotted path (`body.email`). */
    fields?: Record<string, string[]>;
  };
}
