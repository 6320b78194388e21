import { Scalar } from "@scalar/hono-api-reference";
import { bodyLimit } from "hono/body-limit";
import { secureHeaders } from "hono/secure-headers";
import { api } from "./api";
import { authenticate } from "./auth/authenticate";
import { mailboxRoutes } from "./dev/mailbox";
import { AppError } from "./http/errors";
import { notFoundOrMethodNotAllowed, onError } from "./http/error-handler";
import { createRouter } from "./http/openapi";
import { requestContext } from "./http/request-context";

export const MAX_JSON_BODY_BYTES = 1024 * 1024;

/** The composition root: cross-cutting middleware, then each domain's routes. */
export function createApp() {
  const app = createRouter();
  // The benchmarks' baseline: a bare route ahead of all middleware, enabled only by BENCH=1.
  app.get("/__bench/bare", (c, next) => (c.env.BENCH === "1" ? c.text("ok") : next()));
  app.use(requestContext());
  app.use(secureHeaders({ crossOriginResourcePolicy: "same-origin" }));
  app.use(
    "/v1/*",
    bodyLimit({
      maxSize: MAX_JSON_BODY_BYTES,
      onError: () => {
        throw new AppError("payload_too_large", `Request bodies are limited to ${MAX_JSON_BODY_BYTES} bytes`);
      },
    }),
  );
  app.use("/v1/*", authenticate());

  app.get("/healthz", (c) => c.json({ ok: true }));
  app.route("/", api);
  app.route("/", mailboxRoutes);

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
