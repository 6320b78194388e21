import { and, eq } from "drizzle-orm";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { TokenScope } from "../../../shared/roles";
import { sha256Hex } from "../crypto/hash";
import { apiTokens, sessions } from "../db/schema";
import type { AppEnv } from "../env";
import { AppError } from "../http/errors";
import { verifyAccessToken } from "./access-token";
import { SESSION_SCOPES, type Principal } from "./principal";

export const API_TOKEN_PREFIX = "plz";

/**
 * Resolves `Authorization: Bearer …` to a principal: JWT access tokens for sessions, `plz_…`
 * personal API tokens for scripts. Each costs one indexed D1 read, which is what lets revocation
 * take effect immediately.
 */
async function resolvePrincipal(c: Context<AppEnv>, bearer: string): Promise<Principal> {
  const db = c.get("db");
  const now = Date.now();
  if (bearer.startsWith(`${API_TOKEN_PREFIX}_`)) {
    const row = await db.query.apiTokens.findFirst({ where: eq(apiTokens.tokenHash, await sha256Hex(bearer)) });
    if (!row) throw new AppError("token_invalid", "The API token is not valid");
    if (row.revokedAt) throw new AppError("token_revoked", "The API token has been revoked");
    if (row.expiresAt && row.expiresAt <= now) throw new AppError("token_expired", "The API token has expired");
    // Tracking last use is best effort and must not slow the request.
    if (!row.lastUsedAt || now - row.lastUsedAt > 60_000) {
      c.executionCtx.waitUntil(db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.id)).run());
    }
    return { kind: "api_token", userId: row.userId, tokenId: row.id, scopes: row.scopes };
  }
  const claims = await verifyAccessToken(c.env.JWT_SECRET, bearer);
  const session = await db.query.sessions.findFirst({
    columns: { revokedAt: true, expiresAt: true },
    where: and(eq(sessions.id, claims.sid), eq(sessions.userId, claims.sub)),
  });
  if (!session || session.revokedAt || session.expiresAt <= now) {
    throw new AppError("token_revoked", "The session of this access token has ended; log in again");
  }
  return { kind: "session", userId: claims.sub, sessionId: claims.sid, scopes: SESSION_SCOPES };
}

/** Sets `principal` when a bearer token is present; rejects a present-but-bad token with 401. */
export const authenticate = () =>
  createMiddleware<AppEnv>(async function authenticate(c, next) {
    const header = c.req.header("authorization");
    if (header) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match?.[1]) throw new AppError("token_invalid", "Authorization must be `Bearer <token>`");
      c.set("principal", await resolvePrincipal(c, match[1]));
    }
    await next();
  });

/** Requires a principal, and the scope if given. */
export function requirePrincipal(principal: Principal | undefined, scope?: TokenScope): Principal {
  if (!principal) throw new AppError("unauthenticated", "Log in or send an API token");
  if (scope && !principal.scopes.includes(scope)) {
    throw new AppError("insufficient_scope", `This token lacks the \`${scope}\` scope`);
  }
  return principal;
}

/** Session-only actions (managing tokens and sessions): an API token can never do these. */
export function requireSession(principal: Principal | undefined) {
  const p = requirePrincipal(principal);
  if (p.kind !== "session") throw new AppError("forbidden", "This action needs a logged-in session, not an API token");
  return p;
}
