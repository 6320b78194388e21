import { Scalar } from "@scalar/hono-api-reference";
import { secureHeaders } from "hono/secure-headers";
import { api } from "./api";
import { authenticate } from "./auth/authenticate";
import { mailboxRoutes } from "./dev/mailbox";
import { serveMedia } from "./catalog/media";
import { jsonBodyLimit } from "./http/body-limit";
import { notFoundOrMethodNotAllowed, onError } from "./http/error-handler";
import { createRouter } from "./http/openapi";
import { requestContext } from "./http/request-context";
import { storefrontRoutes } from "./storefront/routes";

/** The composition root: cross-cutting middleware, then each domain's routes. */
export function createApp() {
  const app = createRouter();
  // The benchmarks' baselines, ahead of all middleware, enabled only by BENCH=1: a bare route,
  // and a bare FTS5 MATCH on the same data the search endpoint reads.
  app.get("/__bench/bare", (c, next) => (c.env.BENCH === "1" ? c.text("ok") : next()));
  app.get("/__bench/fts", async (c, next) => {
    if (c.env.BENCH !== "1") return next();
    const { results } = await c.env.DB.prepare("SELECT rowid FROM items_fts WHERE items_fts MATCH ? LIMIT 20").bind(c.req.query("q") ?? "").all();
    return c.json(results);
  });
  app.use(requestContext());
  app.use(secureHeaders({ crossOriginResourcePolicy: "same-origin" }));
  app.use("/v1/*", jsonBodyLimit());
  app.use("/v1/*", authenticate());

  app.get("/healthz", (c) => c.json({ ok: true }));
  app.get("/media/:key{.+}", (c) => serveMedia(c.env, c.req.param("key"), c.req.header("if-none-match")));
  app.route("/", api);
  app.route("/", mailboxRoutes);
  app.route("/", storefrontRoutes);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "An access token from /v1/auth/login, or a personal API token (`plz_…`).",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Plaza API",
      version: "1.0.0",
      description: "Errors are always `{ error: { code, message, requestId } }`; `code` is stable.",
    },
  });
  app.get("/docs", Scalar({ url: "/openapi.json", pageTitle: "Plaza API" }));

  app.notFound(notFoundOrMethodNotAllowed(() => app.routes));
  app.onError(onError);
  return app;
}

export type App = ReturnType<typeof createApp>;
