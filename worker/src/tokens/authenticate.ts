import { eq } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import { identityUser, identityUserSql, sessionPrincipal } from "../auth";
import type { Ctx } from "../context";
import { sha256Hex } from "../crypto/hash";
import type { AppEnv } from "../env";
import { AppError } from "../http/errors";
import type { Principal } from "../http/principal";
import { membershipsJsonSql } from "../orgs";
import { apiTokens } from "./tables";

export const API_TOKEN_PREFIX = "plz";

/** A personal API token's principal: its scopes, with the user and memberships read in the same query. */
async function apiTokenPrincipal(ctx: Ctx, bearer: string): Promise<Principal> {
  const now = Date.now();
  const [row] = await ctx.db
    .select({
      id: apiTokens.id,
      userId: apiTokens.userId,
      scopes: apiTokens.scopes,
      revokedAt: apiTokens.revokedAt,
      expiresAt: apiTokens.expiresAt,
      lastUsedAt: apiTokens.lastUsedAt,
      user: identityUserSql(apiTokens.userId),
      memberships: membershipsJsonSql(apiTokens.userId),
    })
    .from(apiTokens)
    .where(eq(apiTokens.tokenHash, await sha256Hex(bearer)))
    .limit(1);
  if (!row?.user) throw new AppError("token_invalid", "The API token is not valid");
  if (row.revokedAt) throw new AppError("token_revoked", "The API token has been revoked");
  if (row.expiresAt && row.expiresAt <= now) throw new AppError("token_expired", "The API token has expired");
  // Tracking last use is best effort and must not slow the request.
  if (!row.lastUsedAt || now - row.lastUsedAt > 60_000) {
    ctx.waitUntil(ctx.db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.id)).run());
  }
  return {
    kind: "api_token",
    userId: row.userId,
    tokenId: row.id,
    scopes: row.scopes,
    user: identityUser(row.user),
    memberships: JSON.parse(row.memberships),
  };
}

/**
 * Sets `principal` when a bearer token is present; rejects a present-but-bad token with 401.
 * JWT access tokens are sessions' (auth), `plz_…` personal API tokens scripts'. Each costs one
 * indexed D1 query, which is what lets revocation take effect immediately.
 */
export const authenticate = () =>
  createMiddleware<AppEnv>(async function authenticate(c, next) {
    const header = c.req.header("authorization");
    if (header) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match?.[1]) throw new AppError("token_invalid", "Authorization must be `Bearer <token>`");
      const bearer = match[1];
      const ctx = c.get("ctx");
      c.set(
        "principal",
        bearer.startsWith(`${API_TOKEN_PREFIX}_`)
          ? await apiTokenPrincipal(ctx, bearer)
          : await sessionPrincipal(ctx, { bearer, memberships: membershipsJsonSql }),
      );
    }
    await next();
  });
