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
