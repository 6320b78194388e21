import { ERROR_STATUS, type ErrorCode, type ErrorEnvelope } from "../../../shared/errors";

/** Throw anywhere in a handler or service; the error middleware renders the envelope. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: { fields?: Record<string, string[]>; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }
}

export function errorBody(err: AppError, requestId: string): ErrorEnvelope {
  return {
    error: {
      code: err.code,
      message: err.message,
      requestId,
      ...(err.extra.fields ? { fields: err.extra.fields } : {}),
    },
  };
}

export function errorResponse(err: AppError, requestId: string): Response {
  return new Response(JSON.stringify(errorBody(err, requestId)), {
    status: err.status,
    headers: { "content-type": "application/json; charset=utf-8", ...err.extra.headers },
  });
}

export const notFound = (what: string) => new AppError("not_found", `${what} not found`);
export const forbidden = (why = "You do not have access to this resource") => new AppError("forbidden", why);
