import { createMiddleware } from "hono/factory";
import { boundLogger, type Ctx, eventBus } from "../context";
import { createDb } from "../db/client";
import type { AppEnv } from "../env";
import type { Runtime } from "../module";
import { configureLogging, log } from "./log";
import { requestMeta } from "./request-meta";

const INCOMING_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * First middleware of every request: a request id (kept from `X-Request-Id` when well formed),
 * the request's `Ctx` (services take it first; `principal` joins it once `authenticate()` ran), and
 * one structured log line per request. `runtime`: the modules' event handlers and registries.
 */
export const requestContext = (runtime: Runtime) =>
  createMiddleware<AppEnv>(async function requestContext(c, next) {
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && INCOMING_ID.test(incoming) ? incoming : `req_${crypto.randomUUID()}`;
    c.set("requestId", requestId);
    configureLogging(c.env.LOG_LEVEL);
    const db = createDb(c.env.DB);
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
