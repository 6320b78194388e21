import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createUser, type TestUser } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";
import { statusCounts } from "../../test/rate-limits";
import { sha256Hex } from "../crypto/hash";
import { MAX_TOKENS_PER_USER } from "./service";

let user: TestUser;
beforeAll(async () => {
  user = await createUser("cli");
});

const create = (body: object) => call("POST", "/v1/me/tokens", { token: user.accessToken, body });

describe("personal API tokens", () => {
  it("are shown once and stored only as a SHA-256", async () => {
    const created = await create({ name: "laptop", scopes: ["profile:read", "orgs:read"] });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^plz_[A-Za-z0-9]{32}$/);
    expect(created.body.prefix).toBe(created.body.token.slice(0, 10));

    const list = await call("GET", "/v1/me/tokens", { token: user.accessToken });
    expect(list.body.data.find((t: { id: string }) => t.id === created.body.id)).not.toHaveProperty("token");

    const row = await env.DB.prepare("SELECT * FROM api_tokens WHERE id = ?").bind(created.body.id).first<Record<string, string>>();
    expect(row!.token_hash).toBe(await sha256Hex(created.body.token));
    expect(JSON.stringify(row)).not.toContain(created.body.token);
  });

  it("authenticate within their scopes only", async () => {
    const { body } = await create({ name: "read-only", scopes: ["profile:read"] });
    expect((await call("GET", "/v1/me", { token: body.token })).status).toBe(200);
    const denied = await call("POST", "/v1/orgs", { token: body.token, body: { name: "Nope", slug: "nope-org" } });
    expect([denied.status, errorCode(denied)]).toEqual([403, "insufficient_scope"]);
  });

  it("cannot manage tokens or sessions: that needs a logged-in session", async () => {
    const { body } = await create({ name: "all", scopes: ["profile:read", "orgs:read", "orgs:write", "members:write", "audit:read"] });
    const mint = await call("POST", "/v1/me/tokens", { token: body.token, body: { name: "child", scopes: ["orgs:read"] } });
    expect([mint.status, errorCode(mint)]).toEqual([403, "forbidden"]);
    expect((await call("GET", "/v1/me/sessions", { token: body.token })).status).toBe(403);
  });

  it("stop working when revoked, with token_revoked", async () => {
    const { body } = await create({ name: "temp", scopes: ["profile:read"] });
    expect((await call("DELETE", `/v1/me/tokens/${body.id}`, { token: user.accessToken })).status).toBe(204);
    const res = await call("GET", "/v1/me", { token: body.token });
    expect([res.status, errorCode(res)]).toEqual([401, "token_revoked"]);
    expect((await call("DELETE", `/v1/me/tokens/${body.id}`, { token: user.accessToken })).status).toBe(404);
  });

  it("expire, with token_expired; an unknown token is token_invalid", async () => {
    const { body } = await create({ name: "short", scopes: ["profile:read"], expiresInDays: 1 });
    await env.DB.prepare("UPDATE api_tokens SET expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1, body.id)
      .run();
    const expired = await call("GET", "/v1/me", { token: body.token });
    expect([expired.status, errorCode(expired)]).toEqual([401, "token_expired"]);
    const unknown = await call("GET", "/v1/me", { token: "plz_00000000000000000000000000000000" });
    expect([unknown.status, errorCode(unknown)]).toEqual([401, "token_invalid"]);
  });
});

describe("the cap of active tokens per user", () => {
  it("holds under a concurrent burst: twice the room left gets exactly the room, the rest 409 conflict with no audit row", async () => {
    const burster = await createUser("burst");
    const room = 3;
    const now = Date.now();
    await env.DB.batch(
      Array.from({ length: MAX_TOKENS_PER_USER - room }, (_, i) =>
        env.DB.prepare(
          "INSERT INTO api_tokens (id, user_id, name, token_hash, prefix, scopes, created_at) VALUES (?, ?, 'old', ?, 'plz_xxxxxx', '[]', ?)",
        ).bind(`tok_cap${i}_${burster.id}`, burster.id, `hash-${i}-${burster.id}`, now),
      ),
    );
    const answers = await Promise.all(
      Array.from({ length: 2 * room }, () =>
        call("POST", "/v1/me/tokens", { token: burster.accessToken, body: { name: "burst", scopes: ["profile:read"] } }),
      ),
    );
    expect(statusCounts(answers)).toEqual({ 201: room, 409: room });
    for (const refused of answers.filter((a) => a.status === 409)) expect(errorCode(refused)).toBe("conflict");
    const count = (sql: string) => env.DB.prepare(sql).bind(burster.id).first<number>("n");
    expect(await count("SELECT count(*) AS n FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL")).toBe(MAX_TOKENS_PER_USER);
    expect(await count("SELECT count(*) AS n FROM audit_events WHERE actor_user_id = ? AND action = 'token.created'")).toBe(room);
  });
});
