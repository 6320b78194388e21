import { createMiddleware } from "hono/factory";
import { createDb } from "../db/client";
import type { AppEnv } from "../env";
import { configureLogging, log } from "./log";

const INCOMING_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * First middleware of every request: a request id (kept from `X-Request-Id` when well formed),
 * the drizzle handle, and one structured log line per request.
 */
export const requestContext = () =>
  createMiddleware<AppEnv>(async function requestContext(c, next) {
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && INCOMING_ID.test(incoming) ? incoming : `req_${crypto.randomUUID()}`;
    c.set("requestId", requestId);
    configureLogging(c.env.LOG_LEVEL);
    c.set("db", createDb(c.env.DB));
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
