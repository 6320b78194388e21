import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";

it("serves health and the envelope on unknown routes", async () => {
  const ok = await exports.default.fetch("http://plaza.test/healthz");
  expect(await ok.json()).toEqual({ ok: true });
  const missing = await exports.default.fetch("http://plaza.test/v1/nope");
  expect(missing.status).toBe(404);
  const body = (await missing.json()) as { error: { code: string; requestId: string } };
  expect(body.error.code).toBe("not_found");
  expect(body.error.requestId).toMatch(/^req_/);
});
