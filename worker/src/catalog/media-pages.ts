import { Hono } from "hono";
import type { AppEnv } from "../env";
import { serveMedia } from "./media";

/** Item icons and screenshots, served from R2 with their ETag (the storefront's and the web app's images). */
export const mediaPages = new Hono<AppEnv>().get("/media/:key{.+}", async (c) => {
  const answer = await serveMedia(c.var.ctx, { key: c.req.param("key"), ifNoneMatch: c.req.header("if-none-match") });
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
});
