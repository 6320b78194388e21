import { secureHeaders } from "hono/secure-headers";
import { readyz, readyzAccess } from "./alerts";
import { benchRoutes } from "./bench/routes";
import { operatorsOnly } from "./http/access";
import { apiDocsPage } from "./http/api-docs";
import { jsonBodyLimit } from "./http/body-limit";
import { registerD1BookmarkDocs } from "./http/d1-sessions";
import { notFoundOrMethodNotAllowed, onError } from "./http/error-handler";
import { createRouter } from "./http/openapi";
import { pageSecurity } from "./http/page-security";
import { requestContext } from "./http/request-context";
import { idempotency, registerIdempotencyDocs } from "./idempotency";
import { modules, runtime } from "./modules";
import { authenticate } from "./tokens";
import { webAppOr } from "./web-app/routes";
import { registerWebhookEvents } from "./webhooks/openapi";

/** The composition root: cross-cutting middleware, then each domain's routes. */
export function createApp() {
  const app = createRouter();
  app.route("/", benchRoutes);
  app.use(requestContext(runtime));
  app.use(pageSecurity());
  app.use(secureHeaders({ crossOriginResourcePolicy: "same-origin" }));
  app.use("/v1/*", jsonBodyLimit());
  app.use("/v1/*", authenticate());
  app.use("/v1/operator/*", operatorsOnly());
  // After authenticate(): keys are scoped to the principal.
  app.use("/v1/*", idempotency());

  app.get("/healthz", (c) => c.json({ ok: true }));
  app.get("/readyz", readyzAccess(), readyz);
  for (const module of modules) if ("routes" in module) app.route("/", module.routes);
  for (const module of modules) if ("pages" in module) app.route("/", module.pages);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "An access token from /v1/auth/login, or a personal API token (`plz_…`).",
  });
  registerIdempotencyDocs(app.openAPIRegistry);
  registerD1BookmarkDocs(app.openAPIRegistry);
  registerWebhookEvents(
    app.openAPIRegistry,
    modules.flatMap((module) => ("webhookEvents" in module ? module.webhookEvents : [])),
  );
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Plaza API",
      version: "1.0.0",
      description:
        "Errors are always `{ error: { code, message, requestId } }`; `code` is stable. Every POST, PUT, PATCH and DELETE takes an optional `Idempotency-Key` header (`components.parameters.IdempotencyKey`): a retry with the same key is answered the first answer again. Every answer carries `x-plaza-d1-bookmark`; send the last one back as a request header to read your own writes from any read replica (`components.parameters.D1Bookmark`).",
    },
  });
  app.get("/docs", apiDocsPage);

  app.notFound(webAppOr(notFoundOrMethodNotAllowed(() => app.routes)));
  app.onError(onError);
  return app;
}

export type App = ReturnType<typeof createApp>;
