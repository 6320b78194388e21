import { ANY_USER, type MatrixCase, PUBLIC, succeedsWith, userFor } from "../../test/authz-matrix";
import { createUser, PASSWORD, tokenFromMail, uniqueEmail } from "../../test/fixtures";
import { call } from "../../test/http";

export async function freshLogin(email: string) {
  const res = await call("POST", "/v1/auth/login", { body: { email, password: PASSWORD } });
  return res.body as { accessToken: string; refreshToken: string };
}

/** Auth routes need no login and behave the same for every caller. */
export const authMatrix: MatrixCase[] = [
  {
    route: "POST /v1/auth/signup",
    public: true,
    build: () => ({ method: "POST", path: "/v1/auth/signup", options: { body: { email: uniqueEmail(), password: PASSWORD, name: "N" } } }),
    expected: succeedsWith(PUBLIC, 201),
  },
  {
    route: "POST /v1/auth/verify-email",
    public: true,
    build: async () => {
      const email = uniqueEmail();
      await call("POST", "/v1/auth/signup", { body: { email, password: PASSWORD, name: "N" } });
      return { method: "POST", path: "/v1/auth/verify-email", options: { body: { token: await tokenFromMail(email) } } };
    },
    expected: PUBLIC,
  },
  {
    route: "POST /v1/auth/resend-verification",
    public: true,
    build: () => ({ method: "POST", path: "/v1/auth/resend-verification", options: { body: { email: uniqueEmail() } } }),
    expected: succeedsWith(PUBLIC, 202),
  },
  {
    route: "POST /v1/auth/login",
    public: true,
    build: async (_fx, actor, user) => ({
      method: "POST",
      path: "/v1/auth/login",
      options: { body: { email: (await userFor(actor, user, createUser)).email, password: PASSWORD } },
    }),
    expected: PUBLIC,
  },
  {
    route: "POST /v1/auth/magic-link",
    public: true,
    build: () => ({ method: "POST", path: "/v1/auth/magic-link", options: { body: { email: uniqueEmail() } } }),
    expected: succeedsWith(PUBLIC, 202),
  },
  {
    route: "POST /v1/auth/magic-link/redeem",
    public: true,
    build: async () => {
      const { email } = await createUser();
      await call("POST", "/v1/auth/magic-link", { body: { email } });
      return { method: "POST", path: "/v1/auth/magic-link/redeem", options: { body: { token: await tokenFromMail(email) } } };
    },
    expected: PUBLIC,
  },
  {
    route: "POST /v1/auth/refresh",
    public: true,
    build: async (_fx, actor, user) => {
      const { refreshToken } = await freshLogin((await userFor(actor, user, createUser)).email);
      return { method: "POST", path: "/v1/auth/refresh", options: { body: { refreshToken } } };
    },
    expected: PUBLIC,
  },
  {
    route: "POST /v1/auth/logout",
    sessionOnly: true,
    // A fresh session each time, so the fixture's own sessions stay usable.
    build: async (_fx, _actor, user) => ({
      method: "POST",
      path: "/v1/auth/logout",
      options: { token: user ? (await freshLogin(user.email)).accessToken : undefined },
    }),
    expected: succeedsWith(ANY_USER, 204),
  },
];
