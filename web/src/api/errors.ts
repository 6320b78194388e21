import type { ErrorCode, ErrorEnvelope } from "../../../shared/errors";

/** An API failure as the UI needs it: the stable `code`, a message, and per-field messages. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode | "network_error",
    message: string,
    readonly status: number,
    readonly requestId?: string,
    /** Field name (the first path segment after `body.`) → messages. */
    readonly fields: Record<string, string[]> = {},
    /** From Retry-After on `rate_limited`. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** `body.scopes.0` → `scopes`: forms key their error slots by field name. */
export function fieldName(path: string): string {
  const parts = path.split(".");
  const start = ["body", "query", "param"].includes(parts[0] ?? "") ? 1 : 0;
  return parts[start] ?? path;
}

export function groupFields(fields: Record<string, string[]> | undefined): Record<string, string[]> {
  const grouped: Record<string, string[]> = {};
  for (const [path, messages] of Object.entries(fields ?? {})) {
    const name = fieldName(path);
    grouped[name] = [...(grouped[name] ?? []), ...messages];
  }
  return grouped;
}

function isEnvelope(body: unknown): body is ErrorEnvelope {
  const error = (body as ErrorEnvelope | null)?.error;
  return typeof error?.code === "string" && typeof error.message === "string";
}

/** Reads the error envelope of a failed response (or makes one up if the body is not one). */
export async function apiErrorFrom(res: Response): Promise<ApiError> {
  const body: unknown = await res.json().catch(() => null);
  const retryAfter = Number(res.headers.get("retry-after"));
  const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined;
  if (isEnvelope(body)) {
    const { code, message, requestId, fields } = body.error;
    return new ApiError(code, message, res.status, requestId, groupFields(fields), retryAfterSeconds);
  }
  return new ApiError("internal_error", `The server answered ${res.status} ${res.statusText}`.trim(), res.status);
}

export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError("network_error", "Could not reach Plaza. Check your connection and try again.", 0);
}
