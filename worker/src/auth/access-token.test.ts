import { env } from "cloudflare:workers";
import { SignJWT } from "jose";
import { beforeAll, expect, it } from "vitest";
import { createUser, type TestUser } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";

let user: TestUser;
let sessionId: string;
beforeAll(async () => {
  user = await createUser("claims");
  sessionId = ((await call("GET", "/v1/me/sessions", { token: user.accessToken })).body.data as { id: string; current: boolean }[]).find(
    (s) => s.current,
  )!.id;
});

/** A token signed with the real secret (as if it leaked, or a bug minted it) carrying any claims at all. */
async function signed(claims: Record<string, unknown>) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iat: now, exp: now + 300, ...claims })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(env.JWT_SECRET));
}

it("a correctly signed access token whose claims are not an access token's is 401 token_invalid, never a lookup or a 500", async () => {
  const good = { sub: user.id, sid: sessionId, typ: "access" };
  expect((await call("GET", "/v1/me", { token: await signed(good) })).status).toBe(200);
  const wrong = [
    { ...good, typ: "refresh" },
    { ...good, sid: 12 },
    { ...good, sid: `ses_${"x".repeat(200)}` },
    { ...good, sub: "not-a-user" },
    { ...good, sub: ["usr_a"] },
    { sid: sessionId, typ: "access" },
    { ...good, iat: "yesterday" },
  ];
  for (const claims of wrong) {
    const res = await call("GET", "/v1/me", { token: await signed(claims) });
    expect([res.status, errorCode(res)], JSON.stringify(claims)).toEqual([401, "token_invalid"]);
  }
});
