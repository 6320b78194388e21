import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import {
  AuthTokens,
  ChangePasswordBody,
  LoginBody,
  MagicLinkBody,
  Me,
  RedeemMagicLinkBody,
  RefreshBody,
  ResendVerificationBody,
  Session,
  SessionId,
  SetActiveOrgBody,
  SignupBody,
  User,
  VerifyEmailBody,
} from "../../../shared/api";
import type { AppEnv } from "../env";
import { requirePrincipal, requireSession } from "../http/access";
import { AppError } from "../http/errors";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, conflictError, json, jsonBody, noContent, notFoundError, rateLimitedError } from "../http/openapi-helpers";
import * as accounts from "./accounts";
import { redeemMagicLink, requestMagicLink } from "./magic-link";
import * as sessions from "./sessions";

const REFRESH_COOKIE = "plaza_refresh";

/** Browsers keep the refresh token in an HttpOnly cookie scoped to the auth routes. */
function setRefreshCookie(c: Context<AppEnv>, tokens: sessions.IssuedTokens) {
  setCookie(c, REFRESH_COOKIE, tokens.refreshToken, {
    httpOnly: true,
    secure: c.env.APP_URL.startsWith("https://"),
    sameSite: "Strict",
    path: "/v1/auth",
    expires: new Date(tokens.refreshTokenExpiresAt),
  });
}

const tag = ["Auth"];

export const authRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/auth/signup",
      tags: tag,
      summary: "Create an account; a verification link is e-mailed",
      request: jsonBody(SignupBody),
      responses: { 201: json(User, "Account created, e-mail not yet verified"), 400: authErrors[400], ...conflictError },
    }),
    async (c) => c.json(await accounts.signup(c.var.ctx, c.req.valid("json")), 201),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/auth/verify-email",
      tags: tag,
      summary: "Confirm an e-mail address with the token from the link",
      request: jsonBody(VerifyEmailBody),
      responses: { 200: json(User, "Verified"), 400: authErrors[400], 401: authErrors[401] },
    }),
    async (c) => c.json(await accounts.verifyEmail(c.var.ctx, c.req.valid("json")), 200),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/auth/resend-verification",
      tags: tag,
      summary: "Send the verification link again (same answer whether or not the address is known)",
      request: jsonBody(ResendVerificationBody),
      responses: { 202: { description: "Sent if the address has an unverified account" }, 400: authErrors[400], ...rateLimitedError },
    }),
    async (c) => {
      await accounts.resendVerification(c.var.ctx, c.req.valid("json"));
      return c.body(null, 202);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/auth/magic-link",
      tags: tag,
      summary: "E-mail a sign-in link (same answer whether or not the address has an account)",
      description:
        "The link signs in once, within 30 minutes, and verifies the address. Buyers who checked out as guests sign in this way. Limited to 5 per address and 30 per IP in 15 minutes.",
      request: jsonBody(MagicLinkBody),
      responses: { 202: { description: "Sent if the address has an account" }, 400: authErrors[400], ...rateLimitedError },
    }),
    async (c) => {
      await requestMagicLink(c.var.ctx, c.req.valid("json"));
      return c.body(null, 202);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/auth/magic-link/redeem",
      tags: tag,
      summary: "Sign in with the token of an e-mailed sign-in link",
      description:
        "Returns the same tokens as a password login (and sets the refresh cookie). `401 token_invalid` for an unknown, used or expired link.",
      request: jsonBody(RedeemMagicLinkBody),
      responses: { 200: json(AuthTokens, "Signed in"), 400: authErrors[400], 401: authErrors[401] },
    }),
    async (c) => {
      const tokens = await redeemMagicLink(c.var.ctx, c.req.valid("json"));
      setRefreshCookie(c, tokens);
      return c.json(tokens, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/auth/login",
      tags: tag,
      summary: "Log in with e-mail and password",
      description:
        "Returns an access token and a rotating refresh token (also set as an HttpOnly cookie). Failures are throttled per account and per IP.",
      request: jsonBody(LoginBody),
      responses: { 200: json(AuthTokens, "Logged in"), ...authErrors, ...rateLimitedError },
    }),
    async (c) => {
      const tokens = await sessions.login(c.var.ctx, c.req.valid("json"));
      setRefreshCookie(c, tokens);
      return c.json(tokens, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/auth/refresh",
      tags: tag,
      summary: "Exchange a refresh token for new tokens (the old one stops working)",
      description:
        "Send the refresh token in the body, or rely on the cookie. Presenting an already-used refresh token revokes the whole session.",
      request: { body: { content: { "application/json": { schema: RefreshBody } }, required: false } },
      responses: { 200: json(AuthTokens, "New tokens"), 400: authErrors[400], 401: authErrors[401] },
    }),
    async (c) => {
      const body = c.req.header("content-type")?.includes("application/json") ? c.req.valid("json") : {};
      const refreshToken = body.refreshToken ?? getCookie(c, REFRESH_COOKIE);
      if (!refreshToken) throw new AppError("unauthenticated", "No refresh token was sent");
      const tokens = await sessions.refresh(c.var.ctx, { refreshToken });
      setRefreshCookie(c, tokens);
      return c.json(tokens, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/auth/logout",
      tags: tag,
      summary: "End the current session",
      security: bearer,
      responses: { ...noContent, ...authErrors },
    }),
    async (c) => {
      const p = requireSession(c.get("principal"));
      await sessions.revokeSession(c.var.ctx, { userId: p.userId, sessionId: p.sessionId, reason: "logout" });
      deleteCookie(c, REFRESH_COOKIE, { path: "/v1/auth" });
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/me",
      tags: ["Me"],
      summary: "The signed-in user, their orgs and active org",
      security: bearer,
      responses: { 200: json(Me, "You"), ...authErrors },
    }),
    async (c) => {
      // authenticate() loaded the user and memberships with the credential: no further queries.
      return c.json(accounts.me(requirePrincipal(c.get("principal"), "profile:read")), 200);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/v1/me/active-org",
      tags: ["Me"],
      summary: "Switch the active org",
      security: bearer,
      request: jsonBody(SetActiveOrgBody),
      responses: { ...noContent, ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const principal = requirePrincipal(c.get("principal"), "profile:read");
      await accounts.setActiveOrg(c.var.ctx, { principal, orgId: c.req.valid("json").orgId });
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/v1/me/password",
      tags: ["Me"],
      summary: "Change your password (or set a first one, for an account made at checkout); logs out every other device",
      description:
        "Needs a session, not an API token. A wrong `currentPassword` is 400 naming it, and counts towards the account's login limit (429 beyond it).",
      security: bearer,
      request: jsonBody(ChangePasswordBody),
      responses: { ...noContent, ...authErrors, ...rateLimitedError },
    }),
    async (c) => {
      const p = requireSession(c.get("principal"));
      await sessions.changePassword(c.var.ctx, { ...c.req.valid("json"), userId: p.userId, sessionId: p.sessionId });
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/me/sessions",
      tags: ["Me"],
      summary: "Your active sessions (needs a session, not an API token)",
      security: bearer,
      responses: { 200: json(z.object({ data: z.array(Session) }), "Sessions, most recently used first"), ...authErrors },
    }),
    async (c) => {
      const p = requireSession(c.get("principal"));
      return c.json({ data: await sessions.listSessions(c.var.ctx, { userId: p.userId, currentSessionId: p.sessionId }) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/v1/me/sessions/{sessionId}",
      tags: ["Me"],
      summary: "Revoke one of your sessions (log out that device)",
      security: bearer,
      request: { params: z.object({ sessionId: SessionId }) },
      responses: { ...noContent, ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const p = requireSession(c.get("principal"));
      await sessions.revokeSession(c.var.ctx, { userId: p.userId, sessionId: c.req.valid("param").sessionId, reason: "revoked" });
      return c.body(null, 204);
    },
  );
