import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createUser, lastMailTo, tokenFromMail, uniqueEmail } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";
import { expectRateLimited, inOneWindow, statusCounts } from "../../test/rate-limits";
import { sha256Hex } from "../crypto/hash";
import { createDb } from "../db/client";
import { MAGIC_LINK_LIMITS } from "./magic-link";
import { accountForBuyer } from "./users";

const ask = (email: string, ip = "192.0.2.7") =>
  call("POST", "/v1/auth/magic-link", { body: { email }, headers: { "cf-connecting-ip": ip } });
const redeem = (token: string) => call("POST", "/v1/auth/magic-link/redeem", { body: { token } });
const mailCount = async (to: string) =>
  (await env.DB.prepare('SELECT count(*) AS n FROM mail_messages WHERE "to" = ?').bind(to).first<{ n: number }>())!.n;

describe("magic sign-in links", () => {
  it("signs a guest buyer in once, verifying the address; the session works like a password login", async () => {
    const email = uniqueEmail("guest");
    await accountForBuyer(createDb(env.DB), email); // how a guest checkout leaves the buyer: no password
    expect((await ask(email)).status).toBe(202);
    const mail = await lastMailTo(email);
    expect(mail.subject).toBe("Your Plaza sign-in link");
    expect(mail.text).toContain("30 minutes");
    const token = await tokenFromMail(email);

    const signedIn = await redeem(token);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user).toMatchObject({ email, emailVerified: true });
    expect(signedIn.headers.get("set-cookie")).toContain("plaza_refresh=");
    const me = await call("GET", "/v1/me", { token: signedIn.body.accessToken });
    expect(me.body.user.email).toBe(email);

    const again = await redeem(token);
    expect([again.status, errorCode(again)]).toEqual([401, "token_invalid"]);
  });

  it("answers the same for an unknown address and sends nothing", async () => {
    const email = uniqueEmail("nobody");
    expect((await ask(email)).status).toBe(202);
    expect(await mailCount(email)).toBe(0);
  });

  it("refuses an expired, a forged and a verification token alike", async () => {
    const user = await createUser();
    await ask(user.email);
    const token = await tokenFromMail(user.email);
    await env.DB.prepare("UPDATE email_tokens SET expires_at = ? WHERE token_hash = ?")
      .bind(Date.now() - 1, await sha256Hex(token))
      .run();
    const verification = uniqueEmail("verify");
    await call("POST", "/v1/auth/signup", { body: { email: verification, password: "a long password", name: "V" } });
    for (const t of [token, "ml_forged", await tokenFromMail(verification)]) {
      const res = await redeem(t);
      expect([res.status, errorCode(res)]).toEqual([401, "token_invalid"]);
    }
  });

  it("limits links per address with Retry-After, without sending more mail", async () => {
    const user = await createUser();
    for (let i = 0; i < MAGIC_LINK_LIMITS.email.limit; i++) expect((await ask(user.email, `192.0.2.${20 + i}`)).status).toBe(202);
    const limited = await ask(user.email, "192.0.2.99");
    expect([limited.status, errorCode(limited)]).toEqual([429, "rate_limited"]);
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
    // Sign-up's verification mail plus one per link.
    expect(await mailCount(user.email)).toBe(1 + MAGIC_LINK_LIMITS.email.limit);
  });

  it("a burst for one address from many IPs: exactly 5 links, the rest 429", async () => {
    const { user, answers } = await inOneWindow(MAGIC_LINK_LIMITS.email.windowMs, async () => {
      const user = await createUser();
      const answers = await Promise.all(
        Array.from({ length: 2 * MAGIC_LINK_LIMITS.email.limit }, (_, i) => ask(user.email, `198.51.100.${i + 1}`)),
      );
      return { user, answers };
    });
    expect(statusCounts(answers)).toEqual({ 202: 5, 429: 5 });
    expectRateLimited(answers, 900);
    expect(await mailCount(user.email)).toBe(1 + 5);
  });

  it("a burst from one IP for many addresses: exactly 30 asked, the rest 429", async () => {
    let ips = 0;
    const answers = await inOneWindow(MAGIC_LINK_LIMITS.ip.windowMs, async () => {
      const ip = `203.0.113.${++ips}`;
      return Promise.all(Array.from({ length: 2 * MAGIC_LINK_LIMITS.ip.limit }, () => ask(uniqueEmail("sprayed"), ip)));
    });
    expect(statusCounts(answers)).toEqual({ 202: 30, 429: 30 });
    expectRateLimited(answers, 900);
  });
});
