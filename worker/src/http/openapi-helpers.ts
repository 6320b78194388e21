import { z } from "@hono/zod-openapi";
import { ERROR_STATUS } from "../../../shared/errors";

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_STATUS) as [keyof typeof ERROR_STATUS, ...(keyof typeof ERROR_STATUS)[]]),
      message: z.string(),
      requestId: z.string(),
      fields: z.record(z.string(), z.array(z.string())).optional(),
    }),
  })
  .meta({ id: "Error" });

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  body: { content: { "application/json": { schema } }, required: true },
});

const error = (description: string) => json(ErrorSchema, description);

/** The error answers every authenticated route may give, added to each route's own. */
export const authErrors = {
  400: error("Invalid request (`invalid_request`), with the failing fields"),
  401: error("Missing, expired, invalid or revoked token"),
  403: error("Authenticated but not allowed, or the token lacks the scope"),
} as const;

export const notFoundError = { 404: error("Not found (or not visible to you)") } as const;
export const conflictError = { 409: error("Conflicts with the current state") } as const;
export const rateLimitedError = { 429: error("Too many attempts; see Retry-After") } as const;

/** What a route that calls Stripe may answer besides its own errors (stripe-errors.ts maps them). */
export const stripeErrors = {
  402: error("The card was declined (`payment_failed`)"),
  502: error(
    "Stripe failed or could not be reached (`upstream_error`, safe to retry), or refused the request for good (`payment_rejected`)",
  ),
  503: error(
    "Payments are unavailable (`payments_unavailable`: no working Stripe key), or Stripe is rate limiting (`payments_busy`, see Retry-After)",
  ),
} as const;

export const bearer = [{ bearerAuth: [] }];

export const noContent = { 204: { description: "Done" } };
