/**
 * What one request costs in D1, for the benchmarks (`BENCH=1` only, and only for a request that
 * asks with `x-bench-d1-meter: 1`, so other benches measure their routes as before): its `env.DB` is
 * replaced by the same D1 binding class over a fetcher that reads each D1 answer's `meta`
 * (`rows_read`, `rows_written`) on its way back, and the answer gets three headers with the sums:
 * `x-d1-rows-read`, `x-d1-rows-written` and `x-d1-queries` (round trips to D1; a batch is one).
 *
 * Every statement counts whatever API runs it (prepare/first/all/raw/run, batch, exec, and the
 * sessions that `withSession` starts, which use the binding's fetcher), because the counting sits
 * below the binding's own code. Work after the response (`waitUntil`) and in queue consumers is
 * not in the figures. An edge-cache hit reads nothing, so it says 0.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";

export const D1_ROWS_READ_HEADER = "x-d1-rows-read";
export const D1_ROWS_WRITTEN_HEADER = "x-d1-rows-written";
export const D1_QUERIES_HEADER = "x-d1-queries";
/** The request header that asks for the figures. */
export const D1_METER_REQUEST_HEADER = "x-bench-d1-meter";

export type D1Usage = { rowsRead: number; rowsWritten: number; queries: number };

type Fetcher = { fetch: typeof fetch };
type D1BindingClass = new (fetcher: Fetcher) => D1Database;

/** Adds every `meta` of a D1 answer (one result, or one per statement of a batch) to `usage`. */
export function addD1Meta(usage: D1Usage, answer: unknown) {
  for (const result of Array.isArray(answer) ? answer : [answer]) {
    const meta = (result as { meta?: { rows_read?: unknown; rows_written?: unknown } } | null)?.meta;
    if (typeof meta?.rows_read === "number") usage.rowsRead += meta.rows_read;
    if (typeof meta?.rows_written === "number") usage.rowsWritten += meta.rows_written;
  }
}

/** The D1 binding's fetcher (workerd's d1-api keeps it as a plain field), if this binding has one. */
function fetcherOf(db: D1Database): Fetcher | undefined {
  const fetcher = (db as unknown as { fetcher?: Fetcher }).fetcher;
  return typeof fetcher?.fetch === "function" ? fetcher : undefined;
}

/**
 * `db`'s own class over a counting fetcher, or undefined when `db` is not workerd's D1 binding
 * (then nothing is measured and the headers are left out).
 */
export function meteredD1(db: D1Database, usage: D1Usage): D1Database | undefined {
  const inner = fetcherOf(db);
  const Binding = (db as unknown as { constructor: D1BindingClass }).constructor;
  if (!inner || typeof Binding !== "function") return undefined;
  const fetcher: Fetcher = {
    fetch: async (input, init) => {
      const res = await inner.fetch(input, init);
      usage.queries++;
      const body = await res.text();
      try {
        addD1Meta(usage, JSON.parse(body));
      } catch {
        // Not JSON (an error page, a dump): nothing to count, the binding reports it as before.
      }
      return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
    },
  };
  return new Binding(fetcher);
}

/**
 * First middleware of every request when `BENCH=1` (mounted with the bench routes, ahead of
 * requestContext, which then starts the request's D1 session on the metered binding).
 */
export const d1Meter: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.env.BENCH !== "1" || c.req.header(D1_METER_REQUEST_HEADER) !== "1") return next();
  const usage: D1Usage = { rowsRead: 0, rowsWritten: 0, queries: 0 };
  const metered = meteredD1(c.env.DB, usage);
  if (!metered) return next();
  c.env = { ...c.env, DB: metered };
  await next();
  if (c.res.status === 101) return; // a WebSocket upgrade: its headers are not ours to change
  const headers: [string, string][] = [
    [D1_ROWS_READ_HEADER, String(usage.rowsRead)],
    [D1_ROWS_WRITTEN_HEADER, String(usage.rowsWritten)],
    [D1_QUERIES_HEADER, String(usage.queries)],
  ];
  try {
    for (const [name, value] of headers) c.res.headers.set(name, value);
  } catch {
    // Immutable headers (a response from fetch or the cache): copy the response once.
    const res = new Response(c.res.body, c.res);
    for (const [name, value] of headers) res.headers.set(name, value);
    c.res = res;
  }
};
