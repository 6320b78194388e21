import { Hono } from "hono";
import type { AppEnv } from "../env";
import { serveMedia } from "./serve";

/** Item icons and screenshots as WebP variants, with their ETag (the storefront's and the web app's images). */
export const mediaPages = new Hono<AppEnv>().get("/media/:key{.+}", async (c) => {
  const answer = await serveMedia(c.var.ctx, {
    key: c.req.param("key"),
    width: c.req.query("w"),
    ifNoneMatch: c.req.header("if-none-match"),
  });
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
});
