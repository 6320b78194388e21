import { exports } from "cloudflare:workers";

/** The Worker under test, called in-process through its real fetch handler. */
const worker = (exports as unknown as { default: Fetcher }).default;

export interface CallOptions {
  body?: unknown;
  /** Sent as-is (for malformed JSON and oversize bodies). */
  rawBody?: string;
  token?: string;
  headers?: Record<string, string>;
}

/**
 * The body of a call made without a type: parsed JSON that the test reads freely and checks with
 * its expects. Typing each of the hundreds of such calls would only restate those expects.
 */
// biome-ignore lint/suspicious/noExplicitAny: untyped calls read their JSON like a test's expects do, field by field
export type UntypedBody = any;

export interface CallResult<T = UntypedBody> {
  status: number;
  body: T;
  headers: Headers;
}

export async function call<T = UntypedBody>(method: string, path: string, options: CallOptions = {}): Promise<CallResult<T>> {
  const headers: Record<string, string> = { "cf-connecting-ip": "203.0.113.7", ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  } else if (options.rawBody !== undefined) {
    headers["content-type"] ??= "application/json";
  }
  const res = await worker.fetch(`http://plaza.test${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (HTML pages); keep the text.
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** Asserts the error envelope and returns its code. */
export function errorCode(result: CallResult): string {
  const error = result.body?.error;
  if (!error || typeof error.code !== "string" || typeof error.message !== "string" || typeof error.requestId !== "string") {
    throw new Error(`Expected an error envelope, got ${result.status} ${JSON.stringify(result.body)}`);
  }
  return error.code;
}
