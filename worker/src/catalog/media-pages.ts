import { Hono } from "hono";
import type { AppEnv } from "../env";
import { serveMedia } from "./media";

/** Item icons and screenshots, served from R2 with their ETag (the storefront's and the web app's images). */
export const mediaPages = new Hono<AppEnv>().get("/media/:key{.+}", (c) =>
  serveMedia(c.env, c.req.param("key"), c.req.header("if-none-match")),
);
