import { env } from "cloudflare:workers";
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { createUser, PASSWORD, tokenFromMail, uniqueEmail } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";
import { expectRateLimited, inOneWindow, statusCounts } from "../../test/rate-limits";
import { hashPassword, SCRYPT_PARAMS, verifyPassword } from "../crypto/password";
import { counter, takeHits } from "../http/rate-limit";
import { LOGIN_LIMITS } from "./sessions";

const login = (email: string, password: string, ip = "192.0.2.1") =>
  call("POST", "/v1/auth/login", { body: { email, password }, headers: { "cf-connecting-ip": ip } });
const LOGIN_WINDOW_MS = LOGIN_LIMITS.account.windowMs;
let addresses = 0;
/** An address no other test (or earlier burst) used. */
const freshIp = () => `100.64.0.${++addresses}`;
/** Earlier failures from `ip`, counted the way login counts them (scrypt runs for all of them would be slow). */
const failuresFrom = (ip: string, failures: number) => takeHits(env, [counter(`login:ip:${ip}`, LOGIN_LIMITS.ip)], Date.now(), failures);
const failedLoginAudits = async (userId: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM audit_events WHERE actor_user_id = ? AND action = 'auth.login_failed'")
    .bind(userId)
    .first<{ n: number }>())!.n;

describe("passwords", () => {
  it("uses scrypt at OWASP's N=2^14, r=8, p=5 and stores the parameters in the hash", async () => {
    expect(SCRYPT_PARAMS).toMatchObject({ N: 16384, r: 8, p: 5 });
    const hash = await hashPassword("a long enough password");
    expect(hash).toMatch(/^scrypt\$16384\$8\$5\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(await verifyPassword("a long enough password", hash)).toBe(true);
    expect(await verifyPassword("a long enough passworD", hash)).toBe(false);
  });
});

describe("sign-up and e-mail verification", () => {
  it("signs up, refuses login until verified, verifies through the mailed link once", async () => {
    const email = uniqueEmail();
    const signup = await call("POST", "/v1/auth/signup", { body: { email: email.toUpperCase(), password: PASSWORD, name: "Ada" } });
    expect(signup.status).toBe(201);
    expect(signup.body).toMatchObject({ email, emailVerified: false });

    const early = await login(email, PASSWORD);
    expect([early.status, errorCode(early)]).toEqual([403, "email_not_verified"]);

    const token = await tokenFromMail(email);
    expect((await call("POST", "/v1/auth/verify-email", { body: { token } })).body.emailVerified).toBe(true);
    const again = await call("POST", "/v1/auth/verify-email", { body: { token } });
    expect([again.status, errorCode(again)]).toEqual([401, "token_invalid"]);
    expect((await login(email, PASSWORD)).status).toBe(200);
  });

  it("refuses a second account for the same address", async () => {
    const email = uniqueEmail();
    await call("POST", "/v1/auth/signup", { body: { email, password: PASSWORD, name: "A" } });
    const dup = await call("POST", "/v1/auth/signup", { body: { email, password: PASSWORD, name: "B" } });
    expect([dup.status, errorCode(dup)]).toEqual([409, "conflict"]);
  });

  it("resends the link 3 times an hour per address, also in a burst; unknown addresses are limited alike", async () => {
    const resend = (email: string) => call("POST", "/v1/auth/resend-verification", { body: { email } });
    const { email, unverified, unknown } = await inOneWindow(3_600_000, async () => {
      const email = uniqueEmail("resender");
      await call("POST", "/v1/auth/signup", { body: { email, password: PASSWORD, name: "R" } });
      const ghost = uniqueEmail("ghost");
      const [unverified, unknown] = await Promise.all([
        Promise.all(Array.from({ length: 6 }, () => resend(email))),
        Promise.all(Array.from({ length: 6 }, () => resend(ghost))),
      ]);
      return { email, unverified, unknown };
    });
    expect(statusCounts(unverified)).toEqual({ 202: 3, 429: 3 });
    expect(statusCounts(unknown)).toEqual({ 202: 3, 429: 3 });
    expectRateLimited([...unverified, ...unknown], 3600);
    // Sign-up's mail plus three.
    const mails = await env.DB.prepare('SELECT count(*) AS n FROM mail_messages WHERE "to" = ?').bind(email).first<{ n: number }>();
    expect(mails!.n).toBe(4);
  });

  it("resends the link only for unverified accounts and answers the same for unknown ones", async () => {
    const email = uniqueEmail();
    await call("POST", "/v1/auth/signup", { body: { email, password: PASSWORD, name: "A" } });
    const first = await tokenFromMail(email);
    expect((await call("POST", "/v1/auth/resend-verification", { body: { email } })).status).toBe(202);
    const second = await tokenFromMail(email);
    expect(second).not.toBe(first);
    expect((await call("POST", "/v1/auth/resend-verification", { body: { email: uniqueEmail("ghost") } })).status).toBe(202);
  });
});

describe("login", () => {
  it("answers an unknown e-mail exactly like a wrong password", async () => {
    const user = await createUser("known");
    const wrong = await login(user.email, "not the password at all", "192.0.2.10");
    const unknown = await login(uniqueEmail("nobody"), "not the password at all", "192.0.2.11");
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.code).toBe("invalid_credentials");
    expect({ ...wrong.body.error, requestId: "" }).toEqual({ ...unknown.body.error, requestId: "" });
  });

  it("throttles an account after repeated failures, from any IP, with Retry-After", async () => {
    const user = await createUser("target");
    for (let i = 0; i < LOGIN_LIMITS.account.limit; i++) {
      expect((await login(user.email, "wrong password!", `192.0.2.${20 + i}`)).status).toBe(401);
    }
    const blocked = await login(user.email, PASSWORD, "192.0.2.99");
    expect([blocked.status, errorCode(blocked)]).toEqual([429, "rate_limited"]);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("throttles an IP that fails across many accounts; logins that succeed do not count", async () => {
    const user = await createUser("innocent");
    const answers = await inOneWindow(LOGIN_WINDOW_MS, async () => {
      const ip = freshIp();
      await failuresFrom(ip, LOGIN_LIMITS.ip.limit - 1);
      const answers = [];
      for (const [email, password] of [
        [user.email, PASSWORD],
        [user.email, PASSWORD],
        [uniqueEmail("spray"), "wrong password!"],
        [user.email, PASSWORD],
      ] as const) {
        answers.push(await login(email, password, ip));
      }
      return answers;
    });
    expect(answers.map((a) => a.status)).toEqual([200, 200, 401, 429]);
    expect(errorCode(answers[3]!)).toBe("rate_limited");
    expect((await login(user.email, PASSWORD, freshIp())).status).toBe(200);
  });

  it("a burst of wrong passwords for one account: exactly 5 are checked, the rest 429 unchecked", async () => {
    const { user, answers, rightPassword } = await inOneWindow(LOGIN_WINDOW_MS, async () => {
      const user = await createUser("burst-target");
      const answers = await Promise.all(
        Array.from({ length: 2 * LOGIN_LIMITS.account.limit }, () => login(user.email, "wrong password!", freshIp())),
      );
      return { user, answers, rightPassword: await login(user.email, PASSWORD, freshIp()) };
    });
    expect(statusCounts(answers)).toEqual({ 401: 5, 429: 5 });
    expectRateLimited(answers, 900);
    // Only the five checked wrote a failed login; the account stays locked for the window.
    expect(await failedLoginAudits(user.id)).toBe(5);
    expect(rightPassword.status).toBe(429);
  });

  it("a burst of wrong passwords from one IP: exactly 50 are checked, the rest 429", async () => {
    const answers = await inOneWindow(LOGIN_WINDOW_MS, async () => {
      const ip = freshIp();
      return Promise.all(Array.from({ length: 2 * LOGIN_LIMITS.ip.limit }, () => login(uniqueEmail("spray"), "wrong password!", ip)));
    });
    expect(statusCounts(answers)).toEqual({ 401: 50, 429: 50 });
    expectRateLimited(answers, 900);
  }, 60_000);

  it("logins refused for their IP spend none of the account's failures", async () => {
    const user = await createUser("not-locked-out");
    const { refused, elsewhere } = await inOneWindow(LOGIN_WINDOW_MS, async () => {
      const ip = freshIp();
      await failuresFrom(ip, LOGIN_LIMITS.ip.limit);
      const refused = await Promise.all(
        Array.from({ length: 2 * LOGIN_LIMITS.account.limit }, () => login(user.email, "wrong password!", ip)),
      );
      return { refused, elsewhere: await login(user.email, PASSWORD, freshIp()) };
    });
    expect(statusCounts(refused)).toEqual({ 429: 10 });
    expect(elsewhere.status).toBe(200);
  });

  it("sets the refresh token as an HttpOnly, SameSite=Strict cookie scoped to /v1/auth", async () => {
    const user = await createUser();
    const cookie = (await login(user.email, PASSWORD)).headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^plaza_refresh=rt_/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/v1\/auth/);
  });
});

describe("refresh tokens", () => {
  it("rotate: the new pair works and the old refresh token is spent", async () => {
    const user = await createUser();
    const first = await call("POST", "/v1/auth/refresh", { body: { refreshToken: user.refreshToken } });
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(user.refreshToken);
    expect((await call("GET", "/v1/me", { token: first.body.accessToken })).status).toBe(200);
  });

  it("accept the cookie when no body is sent", async () => {
    const user = await createUser();
    const res = await call("POST", "/v1/auth/refresh", { headers: { cookie: `plaza_refresh=${user.refreshToken}` } });
    expect(res.status).toBe(200);
  });

  it("revoke the whole session family when a used token is presented again", async () => {
    const user = await createUser();
    const rotated = await call("POST", "/v1/auth/refresh", { body: { refreshToken: user.refreshToken } });
    const replay = await call("POST", "/v1/auth/refresh", { body: { refreshToken: user.refreshToken } });
    expect([replay.status, errorCode(replay)]).toEqual([401, "token_revoked"]);
    // Every descendant dies with the family: the rotated refresh token and the access tokens.
    const descendant = await call("POST", "/v1/auth/refresh", { body: { refreshToken: rotated.body.refreshToken } });
    expect([descendant.status, errorCode(descendant)]).toEqual([401, "token_revoked"]);
    const me = await call("GET", "/v1/me", { token: rotated.body.accessToken });
    expect([me.status, errorCode(me)]).toEqual([401, "token_revoked"]);
  });

  it("refuse unknown tokens and missing tokens", async () => {
    const unknown = await call("POST", "/v1/auth/refresh", { body: { refreshToken: "rt_doesnotexist" } });
    expect([unknown.status, errorCode(unknown)]).toEqual([401, "token_invalid"]);
    const missing = await call("POST", "/v1/auth/refresh");
    expect([missing.status, errorCode(missing)]).toEqual([401, "unauthenticated"]);
  });
});

describe("access tokens", () => {
  it("distinguish expired, forged and revoked with their own codes", async () => {
    const user = await createUser();
    const me = await call("GET", "/v1/me", { token: user.accessToken });
    const [, payloadPart] = user.accessToken.split(".");
    const claims = JSON.parse(atob(payloadPart!.replace(/-/g, "+").replace(/_/g, "/")));

    const expired = await sign({ ...claims, iat: claims.iat - 3600, exp: claims.iat - 1800 }, env.JWT_SECRET, "HS256");
    const r1 = await call("GET", "/v1/me", { token: expired });
    expect([r1.status, errorCode(r1)]).toEqual([401, "token_expired"]);

    const forged = await sign({ ...claims, sub: "usr_someoneelse0000000" }, "not-the-server-secret-at-all-0123456789", "HS256");
    const r2 = await call("GET", "/v1/me", { token: forged });
    expect([r2.status, errorCode(r2)]).toEqual([401, "token_invalid"]);

    const garbage = await call("GET", "/v1/me", { token: "not.a.jwt" });
    expect([garbage.status, errorCode(garbage)]).toEqual([401, "token_invalid"]);

    expect((await call("POST", "/v1/auth/logout", { token: user.accessToken })).status).toBe(204);
    const r3 = await call("GET", "/v1/me", { token: user.accessToken });
    expect([r3.status, errorCode(r3)]).toEqual([401, "token_revoked"]);
    expect(me.status).toBe(200);
  });

  it("missing Authorization is unauthenticated; a malformed header is invalid", async () => {
    const none = await call("GET", "/v1/me");
    expect([none.status, errorCode(none)]).toEqual([401, "unauthenticated"]);
    const bad = await call("GET", "/v1/me", { headers: { authorization: "Basic abc" } });
    expect([bad.status, errorCode(bad)]).toEqual([401, "token_invalid"]);
  });
});

describe("sessions", () => {
  it("lists your sessions with the current one marked, and revoking one logs that device out", async () => {
    const user = await createUser();
    const laptop = await login(user.email, PASSWORD);
    const list = await call("GET", "/v1/me/sessions", { token: user.accessToken });
    expect(list.body.data).toHaveLength(2);
    const other = list.body.data.find((s: { current: boolean }) => !s.current);
    expect(list.body.data.filter((s: { current: boolean }) => s.current)).toHaveLength(1);

    expect((await call("DELETE", `/v1/me/sessions/${other.id}`, { token: user.accessToken })).status).toBe(204);
    expect((await call("GET", "/v1/me", { token: laptop.body.accessToken })).status).toBe(401);
    const refreshed = await call("POST", "/v1/auth/refresh", { body: { refreshToken: laptop.body.refreshToken } });
    expect([refreshed.status, errorCode(refreshed)]).toEqual([401, "token_revoked"]);
    expect((await call("GET", "/v1/me/sessions", { token: user.accessToken })).body.data).toHaveLength(1);
  });
});
