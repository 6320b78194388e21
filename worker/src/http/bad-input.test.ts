import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createUser, PASSWORD, type TestUser } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";

const countRows = async (table: string) => (await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>())?.n ?? 0;

let user: TestUser;
beforeAll(async () => {
  user = await createUser("bad-input");
});

describe("bad input never answers 500 and never leaves partial rows", () => {
  it("malformed JSON → 400 invalid_request", async () => {
    const before = await countRows("users");
    const res = await call("POST", "/v1/auth/signup", { rawBody: '{"email": "a@b.co", "password": ' });
    expect([res.status, errorCode(res)]).toEqual([400, "invalid_request"]);
    expect(await countRows("users")).toBe(before);
  });

  it("missing fields and wrong types are named in `fields`", async () => {
    const res = await call("POST", "/v1/auth/signup", { body: { email: 42, name: "" } });
    expect([res.status, errorCode(res)]).toEqual([400, "invalid_request"]);
    expect(Object.keys(res.body.error.fields).sort()).toEqual(["body.email", "body.name", "body.password"]);
  });

  it("an unknown enum value is refused with the field", async () => {
    const org = await call("POST", "/v1/orgs", { token: user.accessToken, body: { name: "Enum", slug: "enum-org" } });
    const res = await call("POST", `/v1/orgs/${org.body.id}/invites`, {
      token: user.accessToken,
      body: { email: "x@example.test", role: "overlord" },
    });
    expect([res.status, errorCode(res)]).toEqual([400, "invalid_request"]);
    expect(Object.keys(res.body.error.fields)).toEqual(["body.role"]);
    expect(await countRows("invites")).toBe(0);
  });

  it("unknown scopes, bad slugs and malformed ids name their field", async () => {
    const scope = await call("POST", "/v1/me/tokens", { token: user.accessToken, body: { name: "t", scopes: ["everything"] } });
    expect(Object.keys(scope.body.error.fields)).toEqual(["body.scopes.0"]);
    const slug = await call("POST", "/v1/orgs", { token: user.accessToken, body: { name: "X", slug: "Not A Slug!" } });
    expect(Object.keys(slug.body.error.fields)).toEqual(["body.slug"]);
    const id = await call("GET", "/v1/orgs/not-an-id", { token: user.accessToken });
    expect([id.status, Object.keys(id.body.error.fields)]).toEqual([400, ["param.orgId"]]);
  });

  it("a body over 1 MB → 413", async () => {
    const before = await countRows("users");
    const res = await call("POST", "/v1/auth/signup", {
      body: { email: "big@example.test", password: PASSWORD, name: "x".repeat(1024 * 1024 + 10) },
    });
    expect([res.status, errorCode(res)]).toEqual([413, "payload_too_large"]);
    expect(await countRows("users")).toBe(before);
  });

  it("a wrong method → 405 with Allow; an unknown route → 404", async () => {
    const wrong = await call("DELETE", "/v1/auth/login");
    expect([wrong.status, errorCode(wrong)]).toEqual([405, "method_not_allowed"]);
    expect(wrong.headers.get("allow")).toBe("POST");
    const param = await call("PUT", "/v1/orgs/org_abcdefghijklmnopqrst");
    expect([param.status, param.headers.get("allow")]).toEqual([405, "GET, PATCH"]);
    const unknown = await call("GET", "/v1/does-not-exist");
    expect([unknown.status, errorCode(unknown)]).toEqual([404, "not_found"]);
  });

  it("a JSON route sent another content type is a 415, not a 500", async () => {
    const res = await call("POST", "/v1/auth/login", {
      rawBody: "email=a",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect([res.status, errorCode(res)]).toEqual([415, "unsupported_media_type"]);
  });

  it("errors never leak stack traces or SQL", async () => {
    const res = await call("POST", "/v1/auth/signup", { rawBody: "{{{" });
    expect(JSON.stringify(res.body)).not.toMatch(/at \w+ \(|SQLITE|stack/i);
  });
});
