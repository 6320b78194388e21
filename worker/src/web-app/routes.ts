import type { NotFoundHandler } from "hono";
import type { AppEnv, Env } from "../env";
import { type PageSources, pageSecurityHeaders } from "../http/page-security";

/** The Worker's own paths: an unknown one there is the API's JSON 404 (or 405), never the app. */
const WORKER_PATHS = /^\/(v1|media|download|dev|docs|__bench)(\/|$)|^\/(openapi\.json|healthz|readyz)$/;

/** The origin the project editor opens WebSockets to: ROOMS_URL's, as ws: (http) or wss: (https). */
export function roomsSocketOrigin(roomsUrl: string): string | undefined {
  try {
    const url = new URL(roomsUrl);
    return `${url.protocol === "https:" ? "wss" : "ws"}://${url.host}`;
  } catch {
    // A broken ROOMS_URL breaks the editor (its socket is refused), not every page of the app.
    return undefined;
  }
}

/**
 * The web app loads everything from its own origin (Vite's build has no inline script, and the
 * editor sets colours through CSSOM, never style attributes) and talks to the rooms server.
 */
export const webAppSources = (env: Pick<Env, "ROOMS_URL">): PageSources => {
  const rooms = roomsSocketOrigin(env.ROOMS_URL);
  return { "default-src": ["'self'"], "connect-src": ["'self'", ...(rooms ? [rooms] : [])], "form-action": ["'self'"] };
};

/**
 * The web app's service worker (web/src/sw.ts). Never from an HTTP cache, so the browser's update
 * check sees a new deploy at once; its CSP (which governs the worker's own fetches) allows only
 * this origin.
 */
const SERVICE_WORKER_PATH = "/sw.js";
const serviceWorkerHeaders = { "cache-control": "no-cache", ...pageSecurityHeaders({ "default-src": ["'self'"] }) };

/**
 * The web app's pages, with their security headers: a GET or HEAD the Worker has no route for,
 * outside its own paths, is a file of web/dist (the ASSETS binding) or else a route of the app,
 * answered with its index.html. wrangler.toml runs the Worker first for everything but the hashed
 * files under /assets/, and serves no index.html for a missing file there.
 */
export function webAppOr(notFound: NotFoundHandler<AppEnv>): NotFoundHandler<AppEnv> {
  return async (c) => {
    const assets = c.env.ASSETS;
    if (!assets || (c.req.method !== "GET" && c.req.method !== "HEAD") || WORKER_PATHS.test(c.req.path)) return notFound(c);
    let res = await assets.fetch(c.req.raw);
    if (res.status === 404) res = await assets.fetch(new Request(new URL("/", c.req.url), c.req.raw));
    c.set("pageSources", webAppSources(c.env));
    // A copy: the binding's response headers are immutable.
    const page = new Response(res.body, res);
    if (c.req.path === SERVICE_WORKER_PATH) for (const [name, value] of Object.entries(serviceWorkerHeaders)) page.headers.set(name, value);
    return page;
  };
}
