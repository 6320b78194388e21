import type { ClientResponse } from "hono/client";
import { apiErrorFrom, asApiError } from "./errors";

type SuccessStatus = 200 | 201 | 202 | 204;
type AnyClientResponse = ClientResponse<unknown, number, string>;

/** The body type of the 2xx answers in a typed response union (204 has none). */
export type SuccessBody<R> =
  R extends ClientResponse<infer T, infer S, infer F> ? (S extends SuccessStatus ? (F extends "json" ? T : undefined) : never) : never;

/** The 2xx response of a typed `hc` call; any other answer, or no answer, is thrown as an `ApiError`. */
async function succeeded<R extends AnyClientResponse>(call: Promise<R>): Promise<R> {
  let res: R;
  try {
    res = await call;
  } catch (err) {
    throw asApiError(err);
  }
  if (!res.ok) throw await apiErrorFrom(res as unknown as Response);
  return res;
}

/**
 * Awaits a typed `hc` call and returns its 2xx body; anything else becomes a thrown `ApiError`
 * (also for network failures), so pages handle every failure in one `catch`.
 */
export async function unwrap<R extends AnyClientResponse>(call: Promise<R>): Promise<SuccessBody<R>> {
  const res = await succeeded(call);
  if (res.status === 204 || !res.headers.get("content-type")?.includes("json")) return undefined as SuccessBody<R>;
  return (await res.json()) as SuccessBody<R>;
}

/** `unwrap` for routes that answer raw bytes (a project's assets): the 2xx body as a Blob. */
export async function unwrapBlob(call: Promise<AnyClientResponse>): Promise<Blob> {
  return (await succeeded(call)).blob();
}
