import type { ClientResponse } from "hono/client";
import { apiErrorFrom, asApiError } from "./errors";

type SuccessStatus = 200 | 201 | 202 | 204;

/** The body type of the 2xx answers in a typed response union (204 has none). */
export type SuccessBody<R> =
  R extends ClientResponse<infer T, infer S, infer F> ? (S extends SuccessStatus ? (F extends "json" ? T : undefined) : never) : never;

/**
 * Awaits a typed `hc` call and returns its 2xx body; anything else becomes a thrown `ApiError`
 * (also for network failures), so pages handle every failure in one `catch`.
 */
export async function unwrap<R extends ClientResponse<unknown, number, string>>(call: Promise<R>): Promise<SuccessBody<R>> {
  let res: R;
  try {
    res = await call;
  } catch (err) {
    throw asApiError(err);
  }
  if (!res.ok) throw await apiErrorFrom(res as unknown as Response);
  if (res.status === 204 || !res.headers.get("content-type")?.includes("json")) return undefined as SuccessBody<R>;
  return (await res.json()) as SuccessBody<R>;
}
