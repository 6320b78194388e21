import type { Env } from "../env";
import { d1SessionMode } from "./d1-sessions";

/** Public reads that may be stale (the D1 session table's `unconstrained` routes) stay at the edge. */
export const servedAtEdge = (request: Request): boolean => d1SessionMode(request.method, new URL(request.url).pathname) === "unconstrained";

/**
 * Smart Placement is per Worker, so a deployment is two Workers from this one script (made by
 * scripts/lib/deploy/pair.mjs): the edge Worker, which has a `PLACED` service binding, and the
 * placed Worker (`placement.mode = "smart"`, run near the D1 primary), which has none.
 *
 * The edge Worker answers itself only public reads that may be stale (storefront, public catalog
 * and search, docs, the web app's shell): near the nearest D1 read replica and its colo's cache.
 * Every other request (writes, signed-in reads that must see their own writes, webhooks) makes
 * several round trips to the primary, so it goes as it came (method, URL, headers with the D1
 * bookmark cookie or header, body) to the placed Worker. Without `PLACED` (npm start, the tests,
 * the placed Worker itself) the handler answers everything.
 */
export function forwardToPlaced(handler: (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>) {
  return function placement(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    if (env.PLACED && !servedAtEdge(request)) return env.PLACED.fetch(request);
    return handler(request, env, ctx);
  };
}
