import Stripe from "stripe";
import type { ErrorCode } from "../../../shared/errors";
import { AppError } from "./errors";

/**
 * What a failed Stripe request means, in one place: the status and stable code Plaza answers with
 * (never Stripe's wording or ids), whether a queue consumer should try it again, and how loudly it
 * is logged. The README's Payments section has the same table.
 */
export interface StripeErrorMeaning {
  code: ErrorCode;
  message: string;
  /** Worth retrying later (an outage, a rate limit, a key being fixed); false when Stripe refused for good. */
  retry: boolean;
  level: "warn" | "error";
}

/** `StripeInvalidRequestError` codes Plaza can meet, each a state conflict rather than a bad request. */
const REFUSALS: Partial<Record<string, Omit<StripeErrorMeaning, "retry">>> = {
  charge_already_refunded: { code: "already_refunded", message: "Stripe says this payment was already refunded in full", level: "warn" },
  amount_too_large: { code: "refund_too_large", message: "Stripe has less left to refund on this payment than was asked", level: "warn" },
  // Stripe refuses to refund a charged-back payment: the dispute's outcome decides the money.
  charge_disputed: {
    code: "charge_disputed",
    message: "The buyer's bank disputes this payment; the dispute decides it, not a refund",
    level: "warn",
  },
  // Plaza's copy of an account's flags lags Stripe's by one webhook.
  insufficient_capabilities_for_transfer: { code: "charges_disabled", message: "This author cannot take payments yet", level: "warn" },
  // Plaza never passes a client's Stripe ids on: a missing object means Plaza and Stripe disagree.
  resource_missing: { code: "payment_record_missing", message: "Stripe has no record of what this request refers to", level: "error" },
};

export function stripeErrorMeaning(err: Stripe.errors.StripeError): StripeErrorMeaning {
  if (err instanceof Stripe.errors.StripeInvalidRequestError) {
    const refusal = err.code ? REFUSALS[err.code] : undefined;
    return refusal
      ? { ...refusal, retry: false }
      : { code: "payment_rejected", message: "The payment provider refused the request", retry: false, level: "error" };
  }
  if (err instanceof Stripe.errors.StripeIdempotencyError) {
    return {
      code: "idempotency_conflict",
      message: "The payment provider saw this request's key with other parameters",
      retry: false,
      level: "warn",
    };
  }
  if (err instanceof Stripe.errors.StripeCardError)
    return { code: "payment_failed", message: "The card was declined", retry: false, level: "warn" };
  if (err instanceof Stripe.errors.StripeRateLimitError)
    return { code: "payments_busy", message: "The payment provider is busy; try again shortly", retry: true, level: "warn" };
  if (err instanceof Stripe.errors.StripeAuthenticationError || err instanceof Stripe.errors.StripePermissionError) {
    // An operator's mistake (a rolled or restricted key), not the caller's.
    return { code: "payments_unavailable", message: "Payments are not available right now", retry: true, level: "error" };
  }
  // StripeConnectionError, StripeAPIError (5xx, or a 409 while Stripe still runs the same key): an outage.
  return { code: "upstream_error", message: "The payment provider could not complete the request; try again", retry: true, level: "error" };
}

/** Seconds a rate-limited caller should wait: Stripe's own `Retry-After` when it sent one. */
const DEFAULT_RETRY_AFTER_SECONDS = 2;

function retryAfterSeconds(err: Stripe.errors.StripeError): number {
  const header = Number((err.headers as Record<string, string> | undefined)?.["retry-after"]);
  return Number.isFinite(header) && header > 0 ? Math.ceil(header) : DEFAULT_RETRY_AFTER_SECONDS;
}

/** The API's answer to a failed Stripe request. */
export function stripeAppError(err: Stripe.errors.StripeError, meaning = stripeErrorMeaning(err)): AppError {
  const headers = meaning.code === "payments_busy" ? { "retry-after": String(retryAfterSeconds(err)) } : undefined;
  return new AppError(meaning.code, meaning.message, headers ? { headers } : {});
}

/** For queue consumers: try a message again unless Stripe refused it for good (anything else may pass later). */
export const worthRetrying = (err: unknown) => !(err instanceof Stripe.errors.StripeError) || stripeErrorMeaning(err).retry;
