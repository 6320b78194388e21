import { expect, it } from "vitest";
import { call, errorCode } from "../../test/http";

it("serves health, and the envelope with a request id on unknown routes", async () => {
  expect((await call("GET", "/healthz")).body).toEqual({ ok: true });
  const missing = await call("GET", "/v1/nope");
  expect(missing.status).toBe(404);
  expect(errorCode(missing)).toBe("not_found");
  expect(missing.body.error.requestId).toMatch(/^req_/);
  expect(missing.headers.get("x-request-id")).toBe(missing.body.error.requestId);
});

it("publishes every /v1 route in /openapi.json, with bearer auth, and serves the docs", async () => {
  const spec = (await call("GET", "/openapi.json")).body;
  expect(spec.openapi).toBe("3.1.0");
  const { modules } = await import("../modules");
  const documented = Object.entries(spec.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`),
  );
  const routes = modules
    .flatMap((m) => ("routes" in m ? m.routes.routes : []))
    .filter((r) => r.method !== "ALL")
    .map((r) => `${r.method} ${r.path}`);
  expect(documented.sort()).toEqual([...new Set(routes)].sort());
  expect(spec.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
  expect(spec.components.schemas).toHaveProperty("Error");
  // The webhook event catalog, one entry per type, each with a payload schema and an example.
  const { WEBHOOK_EVENT_TYPES } = await import("../../../shared/webhook-events");
  expect(Object.keys(spec.webhooks).sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
  const created = spec.webhooks["order.created"].post.requestBody.content["application/json"];
  expect(created.schema.properties).toHaveProperty("data");
  expect(created.example).toMatchObject({ type: "order.created", data: { currency: "usd" } });

  const docs = await call("GET", "/docs");
  expect(docs.status).toBe(200);
  expect(docs.headers.get("content-type")).toMatch(/text\/html/);
  expect(String(docs.body)).toContain("/openapi.json");
});

it("never logs the secret part of a download link", async () => {
  const { loggablePath } = await import("./request-context");
  expect(loggablePath("/download/d1.dlt_abc.ent_x.ver_y.123.sig")).toBe("/download/[token]");
  expect(loggablePath("/v1/items/x")).toBe("/v1/items/x");
});
