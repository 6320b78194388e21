import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { PatternRouter } from "hono/router/pattern-router";
import Stripe from "stripe";
import type { ZodError } from "zod";
import type { ErrorCode } from "../../../shared/errors";
import type { AppEnv } from "../env";
import { AppError, errorResponse } from "./errors";
import { log } from "./log";
import { stripeAppError, stripeErrorMeaning } from "./stripe-errors";

/** Hono's validator targets, named as a client thinks of them. */
const TARGET_NAMES: Record<string, string> = { json: "body", form: "body" };

/** Turns a zod failure into `invalid_request` with the failing fields, keyed `body.email`. */
export function validationError(error: ZodError, target: string): AppError {
  const fields: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = [TARGET_NAMES[target] ?? target, ...issue.path.map(String)].join(".");
    fields[key] = [...(fields[key] ?? []), issue.message];
  }
  const names = Object.keys(fields).join(", ");
  return new AppError("invalid_request", `Invalid request: ${names}`, { fields });
}

const HTTP_EXCEPTION_CODES: Partial<Record<number, ErrorCode>> = {
  400: "invalid_request",
  413: "payload_too_large",
  415: "unsupported_media_type",
};

export const onError: ErrorHandler<AppEnv> = (err, c) => {
  const requestId = c.get("requestId") ?? "unknown";
  if (err instanceof AppError) return errorResponse(err, requestId);
  if (err instanceof HTTPException) {
    // Hono raises these for malformed JSON, wrong content types and similar client mistakes.
    const code = HTTP_EXCEPTION_CODES[err.status];
    if (code) return errorResponse(new AppError(code, err.message || "Bad request"), requestId);
  }
  if (err instanceof Stripe.errors.StripeError) {
    // Our request to Stripe failed: answer what it means (stripe-errors.ts), never Stripe's wording or ids.
    const meaning = stripeErrorMeaning(err);
    log(meaning.level, "stripe request failed", {
      requestId,
      type: err.type,
      code: err.code,
      status: err.statusCode,
      answered: meaning.code,
      message: err.message,
      stripeRequestId: err.requestId,
    });
    return errorResponse(stripeAppError(err, meaning), requestId);
  }
  log("error", "unhandled error", { requestId, error: String(err), stack: (err as Error).stack });
  return errorResponse(new AppError("internal_error", "Something went wrong on our side"), requestId);
};

/**
 * 404 for unknown paths, 405 (with `Allow`) for known paths asked with another method. The
 * path index is built once from the app's own routes.
 */
export function notFoundOrMethodNotAllowed(routes: () => { method: string; path: string }[]): NotFoundHandler<AppEnv> {
  let index: PatternRouter<string> | undefined;
  const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];
  return (c: Context<AppEnv>) => {
    if (!index) {
      index = new PatternRouter<string>();
      for (const r of routes()) if (r.method !== "ALL" && !r.path.endsWith("*")) index.add(r.method, r.path, r.method);
    }
    const allowed = METHODS.filter((m) => index!.match(m, c.req.path)[0].length > 0);
    const requestId = c.get("requestId") ?? "unknown";
    if (allowed.length > 0 && !allowed.includes(c.req.method)) {
      return errorResponse(
        new AppError("method_not_allowed", `${c.req.method} is not allowed here`, { headers: { allow: allowed.join(", ") } }),
        requestId,
      );
    }
    return errorResponse(new AppError("not_found", `No route for ${c.req.method} ${c.req.path}`), requestId);
  };
}
