import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { AppError } from "./errors";

export const MAX_JSON_BODY_BYTES = 1024 * 1024;

/** Project assets keep any content type (JSON and text too) and enforce their own 25 MB cap. */
const PROJECT_ASSET_PATH = /^\/v1\/orgs\/[^/]+\/projects\/[^/]+\/assets\/[^/]+$/;

const limitJson = bodyLimit({
  maxSize: MAX_JSON_BODY_BYTES,
  onError: () => {
    throw new AppError("payload_too_large", `JSON bodies are limited to ${MAX_JSON_BODY_BYTES} bytes`);
  },
});

/**
 * 1 MB for JSON (and anything that is not a declared binary upload). Binary routes — bundles,
 * images and tus PATCHes (`application/offset+octet-stream`) — stream to R2 and enforce their own limits from Content-Length; a binary body sent to a
 * JSON route is refused with 415 before it is read.
 */
export const jsonBodyLimit = () =>
  createMiddleware<AppEnv>(async function jsonBodyLimit(c, next) {
    const type = c.req.header("content-type") ?? "";
    const binary =
      /^(application\/(octet-stream|offset\+octet-stream|gzip)|image\/)/i.test(type) ||
      (c.req.method === "PUT" && PROJECT_ASSET_PATH.test(c.req.path));
    return binary ? next() : limitJson(c, next);
  });
