import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createUser, lastMailTo, PASSWORD, tokenFromMail, uniqueEmail } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";
import { expectRateLimited, inOneWindow, statusCounts } from "../../test/rate-limits";
import { createDb } from "../db/client";
import { LOGIN_LIMITS } from "./sessions";
import { accountForBuyer } from "./users";

const NEW_PASSWORD = "a longer and newer passphrase";
const change = (token: string, body: unknown) => call("PUT", "/v1/me/password", { token, body });
const login = (email: string, password: string) =>
  call("POST", "/v1/auth/login", { body: { email, password }, headers: { "cf-connecting-ip": "198.51.100.77" } });

describe("changing the password", () => {
  it("needs the current one; then the new one logs in, the old one does not, and every other device is logged out", async () => {
    const user = await createUser("changer");
    const other = await login(user.email, PASSWORD);
    expect(other.status).toBe(200);

    const missing = await change(user.accessToken, { newPassword: NEW_PASSWORD });
    expect([missing.status, errorCode(missing), missing.body.error.fields]).toEqual([
      400,
      "invalid_request",
      { "body.currentPassword": ["is required"] },
    ]);
    const wrong = await change(user.accessToken, { currentPassword: "not my password at all", newPassword: NEW_PASSWORD });
    expect([wrong.status, wrong.body.error.fields]).toEqual([400, { "body.currentPassword": ["is not correct"] }]);
    const short = await change(user.accessToken, { currentPassword: PASSWORD, newPassword: "short" });
    expect([short.status, Object.keys(short.body.error.fields)]).toEqual([400, ["body.newPassword"]]);
    expect((await login(user.email, PASSWORD)).status).toBe(200);

    expect((await change(user.accessToken, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })).status).toBe(204);
    expect([(await login(user.email, PASSWORD)).status, (await login(user.email, NEW_PASSWORD)).status]).toEqual([401, 200]);
    // This session goes on; the other device's (and the logins above) are over.
    expect((await call("GET", "/v1/me", { token: user.accessToken })).status).toBe(200);
    const ended = await call("GET", "/v1/me", { token: other.body.accessToken });
    expect([ended.status, errorCode(ended)]).toEqual([401, "token_revoked"]);
    expect((await call("POST", "/v1/auth/refresh", { body: { refreshToken: other.body.refreshToken } })).status).toBe(401);

    expect((await lastMailTo(user.email)).subject).toBe("Your Plaza password was changed");
    const audit = await env.DB.prepare(
      "SELECT action FROM audit_events WHERE actor_user_id = ? AND action LIKE 'auth.password%' ORDER BY created_at",
    )
      .bind(user.id)
      .all<{ action: string }>();
    expect(audit.results.map((r) => r.action)).toEqual(["auth.password_change_failed", "auth.password_changed"]);
  });

  it("wrong current passwords count towards the account's login limit", async () => {
    const user = await createUser("guesser");
    for (let i = 0; i < 5; i++)
      expect((await change(user.accessToken, { currentPassword: `guess number ${i}`, newPassword: NEW_PASSWORD })).status).toBe(400);
    const limited = await change(user.accessToken, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect([limited.status, errorCode(limited)]).toEqual([429, "rate_limited"]);
    expect((await login(user.email, NEW_PASSWORD)).status).not.toBe(200);
  });

  it("a burst of wrong current passwords: exactly 5 are checked, the rest 429; the right one then waits too", async () => {
    const { user, answers, right } = await inOneWindow(LOGIN_LIMITS.account.windowMs, async () => {
      const user = await createUser("burst-guesser");
      const answers = await Promise.all(
        Array.from({ length: 2 * LOGIN_LIMITS.account.limit }, (_, i) =>
          change(user.accessToken, { currentPassword: `guess number ${i}`, newPassword: NEW_PASSWORD }),
        ),
      );
      return { user, answers, right: await change(user.accessToken, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }) };
    });
    expect(statusCounts(answers)).toEqual({ 400: 5, 429: 5 });
    expectRateLimited(answers, 900);
    const failures = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_events WHERE actor_user_id = ? AND action = 'auth.password_change_failed'",
    )
      .bind(user.id)
      .first<{ n: number }>();
    expect(failures!.n).toBe(5);
    expect(right.status).toBe(429);
  });

  it("a right current password gives its hit back", async () => {
    const { changes } = await inOneWindow(LOGIN_LIMITS.account.windowMs, async () => {
      const user = await createUser("right-guesser");
      const changes = [];
      // One more right guess than the limit: were they counted, the last change would be refused.
      for (let i = 0; i <= LOGIN_LIMITS.account.limit; i++) {
        changes.push(
          await change(user.accessToken, {
            currentPassword: i === 0 ? PASSWORD : `${NEW_PASSWORD} ${i - 1}`,
            newPassword: `${NEW_PASSWORD} ${i}`,
          }),
        );
      }
      return { changes };
    });
    expect(changes.map((c) => c.status)).toEqual(Array(LOGIN_LIMITS.account.limit + 1).fill(204));
  });

  it("a guest from checkout, signed in by e-mail link, sets a first password without a current one", async () => {
    const email = uniqueEmail("guest-password");
    await accountForBuyer(createDb(env.DB), email);
    expect((await call("POST", "/v1/auth/magic-link", { body: { email }, headers: { "cf-connecting-ip": "192.0.2.99" } })).status).toBe(
      202,
    );
    const signedIn = await call("POST", "/v1/auth/magic-link/redeem", { body: { token: await tokenFromMail(email) } });
    expect(signedIn.status).toBe(200);
    expect((await login(email, NEW_PASSWORD)).status).toBe(401);

    expect((await change(signedIn.body.accessToken, { newPassword: NEW_PASSWORD })).status).toBe(204);
    expect((await login(email, NEW_PASSWORD)).status).toBe(200);
    // From now on the account has a password, so changing it needs that one.
    const again = await change(signedIn.body.accessToken, { newPassword: "yet another passphrase" });
    expect(again.body.error.fields).toEqual({ "body.currentPassword": ["is required"] });
  });

  it("is refused to API tokens and to anyone signed out", async () => {
    const user = await createUser("scripted");
    const token = await call("POST", "/v1/me/tokens", { token: user.accessToken, body: { name: "ci", scopes: ["profile:read"] } });
    expect(token.status).toBe(201);
    const byToken = await change(token.body.token, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect([byToken.status, errorCode(byToken)]).toEqual([403, "forbidden"]);
    expect((await call("PUT", "/v1/me/password", { body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } })).status).toBe(401);
  });
});
