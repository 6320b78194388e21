import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { boundLogger, type Ctx, eventBus } from "../context";
import { createSessionDb, sessionBinding } from "../db/client";
import type { AppEnv } from "../env";
import type { Runtime } from "../module";
import { bookmarkCookie, D1_BOOKMARK_COOKIE, D1_BOOKMARK_HEADER, d1SessionMode, incomingBookmark, sessionStart } from "./d1-sessions";
import { configureLogging, log } from "./log";
import { requestMeta } from "./request-meta";

const INCOMING_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * First middleware of every request: a request id (kept from `X-Request-Id` when well formed),
 * the request's D1 session (as the route's row in http/d1-sessions.ts says, before anything reads
 * D1: `ctx.db`, `c.var.db` and `env.DB` all run in it), the request's `Ctx` (services take it first;
 * `principal` joins it once `authenticate()` ran), and one structured log line per request.
 * The session's bookmark goes back in `x-plaza-d1-bookmark`, and in a cookie for the web app.
 * `runtime`: the modules' event handlers and registries.
 */
export const requestContext = (runtime: Runtime) =>
  createMiddleware<AppEnv>(async function requestContext(c, next) {
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && INCOMING_ID.test(incoming) ? incoming : `req_${crypto.randomUUID()}`;
    c.set("requestId", requestId);
    configureLogging(c.env.LOG_LEVEL);
    const mode = d1SessionMode(c.req.method, c.req.path);
    const cookieBookmark = getCookie(c, D1_BOOKMARK_COOKIE);
    const bookmark = incomingBookmark(c.req.header(D1_BOOKMARK_HEADER), cookieBookmark);
    const primary = c.env.DB;
    const session = primary.withSession(sessionStart(mode, bookmark));
    // Handlers that take `c.env.DB` and services that take `ctx.env.DB` run in the session too.
    c.env = { ...c.env, DB: sessionBinding(primary, session) };
    const db = createSessionDb(c.env.DB);
    c.set("db", db);
    const ctx: Ctx = {
      env: c.env,
      db,
      requestId,
      meta: requestMeta(c.req.raw, requestId),
      log: boundLogger(requestId),
      get principal() {
        return c.get("principal");
      },
      events: eventBus(runtime.events, () => ctx),
      waitUntil: (promise) => c.executionCtx.waitUntil(promise),
    };
    c.set("ctx", ctx);
    c.set("runtime", runtime);
    const started = Date.now();
    await next();
    c.res.headers.set("x-request-id", requestId);
    const latest = session.getBookmark() ?? bookmark;
    if (latest) {
      c.res.headers.set(D1_BOOKMARK_HEADER, latest);
      // Not on public pages (they are cached); on the requests of someone signed in or signing in.
      const signedIn = c.get("principal") !== undefined || cookieBookmark !== undefined || c.req.path.startsWith("/v1/auth/");
      if (mode !== "unconstrained" && signedIn && latest !== cookieBookmark)
        c.res.headers.append("set-cookie", bookmarkCookie(latest, c.env.APP_URL));
    }
    log("info", "request", {
      requestId,
      method: c.req.method,
      path: loggablePath(c.req.path),
      status: c.res.status,
      durationMs: Date.now() - started,
      userId: c.get("principal")?.userId,
    });
  });

/** Paths that carry a bearer secret (a signed download link) are logged without it. */
export const loggablePath = (path: string) => path.replace(/^\/download\/.+$/, "/download/[token]");
