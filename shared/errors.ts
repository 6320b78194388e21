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
  /** The card was declined (a payment Plaza asked Stripe to take). */
  payment_failed: 402,
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
  /** The seller disconnected Plaza from their Stripe account: their paid items are off sale until they reconnect. */
  seller_disconnected: 409,
  /** A refund still waiting for Stripe's confirmation already covers what is left of the order. */
  refund_in_progress: 409,
  /** Stripe says the payment was refunded in full already (e.g. from Stripe's dashboard). */
  already_refunded: 409,
  /** Stripe has less left to refund on the payment than was asked (refunded elsewhere meanwhile). */
  refund_too_large: 409,
  /** The buyer's bank disputes the payment: Stripe refuses refunds while the dispute decides the money. */
  charge_disputed: 409,
  /** Stripe has no record of the payment (or customer, price…) Plaza holds for this. */
  payment_record_missing: 409,
  /** Stripe saw this request's idempotency key with other parameters, or still runs the first. */
  idempotency_conflict: 409,
  /** The first request with this `Idempotency-Key` is still running; try again after `Retry-After` seconds. */
  idempotency_in_progress: 409,
  /** The file is still being uploaded or processed (its media row is not `ready` yet); try again shortly. */
  media_not_ready: 409,
  gone: 410,
  /** A resumable upload's `Tus-Resumable` names a tus version other than 1.0.0 (`Tus-Version` lists those supported). */
  tus_version_unsupported: 412,
  /** A PATCH's `If-Match` names a version the resource has moved on from: nothing changed; read it again (its ETag) and merge. */
  precondition_failed: 412,
  payload_too_large: 413,
  /** A project document (snapshot) over the room document cap. */
  document_too_large: 413,
  /** The org's stored files (bundles, assets and uploads in progress) would exceed its storage quota. */
  quota_exceeded: 413,
  unsupported_media_type: 415,
  /** A `Range` that starts past the end of the file; `Content-Range` then gives the size. */
  range_not_satisfiable: 416,
  unprocessable: 422,
  /** The file's processing failed for good (e.g. not an image Plaza can read); the message gives the reason. */
  media_failed: 422,
  /** The same `Idempotency-Key` was sent before with another body. */
  idempotency_key_reused: 422,
  rate_limited: 429,
  /** A tus PATCH whose bytes do not match its `Upload-Checksum`: nothing of it was stored (tus checksum extension). */
  checksum_mismatch: 460,
  internal_error: 500,
  /** Stripe (or another provider) failed or was unreachable; safe to retry. */
  upstream_error: 502,
  /** Stripe refused a request Plaza made that no retry will change; logged for the operators. */
  payment_rejected: 502,
  /** The collaboration rooms server could not be reached; safe to retry. */
  rooms_unavailable: 503,
  /** This deployment has no working Stripe key (none, expired or lacking a permission), so nothing can be bought or paid out. */
  payments_unavailable: 503,
  /** Stripe is rate limiting Plaza; try again after `Retry-After` seconds. */
  payments_busy: 503,
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
