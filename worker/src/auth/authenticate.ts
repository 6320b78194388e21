import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { TokenScope } from "../../../shared/roles";
import { sha256Hex } from "../crypto/hash";
import { apiTokens } from "../db/schema";
import type { AppEnv } from "../env";
import { AppError } from "../http/errors";
import { type Identity, type Principal, SESSION_SCOPES } from "../http/principal";
import { verifyAccessToken } from "./access-token";

export const API_TOKEN_PREFIX = "plz";

/**
 * The user and their memberships (as JSON, orgs by name) next to the credential's own columns, so
 * one D1 round trip answers "who is this, and where may they go" for the whole request.
 */
const IDENTITY_COLUMNS = `u.id AS user_id, u.email, u.name, u.email_verified_at, u.is_operator, u.active_org_id, u.created_at AS user_created_at,
  (SELECT json_group_array(json_object('orgId', m.orgId, 'slug', m.slug, 'name', m.name, 'role', m.role)) FROM (
     SELECT o.id AS orgId, o.slug, o.name, mm.role FROM memberships mm JOIN orgs o ON o.id = mm.org_id
     WHERE mm.user_id = u.id ORDER BY o.name
   ) m) AS memberships`;

interface IdentityRow {
  user_id: string;
  email: string;
  name: string;
  email_verified_at: number | null;
  is_operator: number;
  active_org_id: string | null;
  user_created_at: number;
  memberships: string;
}

function toIdentity(row: IdentityRow): Identity {
  return {
    user: {
      id: row.user_id,
      email: row.email,
      name: row.name,
      emailVerifiedAt: row.email_verified_at,
      isOperator: row.is_operator === 1,
      activeOrgId: row.active_org_id,
      createdAt: row.user_created_at,
    },
    memberships: JSON.parse(row.memberships),
  };
}

/**
 * Resolves `Authorization: Bearer …` to a principal: JWT access tokens for sessions, `plz_…`
 * personal API tokens for scripts. Each costs one indexed D1 query, which is what lets revocation
 * take effect immediately.
 */
async function resolvePrincipal(c: Context<AppEnv>, bearer: string): Promise<Principal> {
  const now = Date.now();
  if (bearer.startsWith(`${API_TOKEN_PREFIX}_`)) {
    const row = await c.env.DB.prepare(
      `SELECT t.id AS token_id, t.scopes, t.revoked_at, t.expires_at, t.last_used_at, ${IDENTITY_COLUMNS}
       FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`,
    )
      .bind(await sha256Hex(bearer))
      .first<
        IdentityRow & {
          token_id: string;
          scopes: string;
          revoked_at: number | null;
          expires_at: number | null;
          last_used_at: number | null;
        }
      >();
    if (!row) throw new AppError("token_invalid", "The API token is not valid");
    if (row.revoked_at) throw new AppError("token_revoked", "The API token has been revoked");
    if (row.expires_at && row.expires_at <= now) throw new AppError("token_expired", "The API token has expired");
    // Tracking last use is best effort and must not slow the request.
    if (!row.last_used_at || now - row.last_used_at > 60_000) {
      c.executionCtx.waitUntil(c.get("db").update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.token_id)).run());
    }
    return { kind: "api_token", userId: row.user_id, tokenId: row.token_id, scopes: JSON.parse(row.scopes), ...toIdentity(row) };
  }
  const claims = await verifyAccessToken(c.env.JWT_SECRET, bearer);
  const row = await c.env.DB.prepare(
    `SELECT s.revoked_at, s.expires_at, ${IDENTITY_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ? AND s.user_id = ?`,
  )
    .bind(claims.sid, claims.sub)
    .first<IdentityRow & { revoked_at: number | null; expires_at: number }>();
  if (!row || row.revoked_at || row.expires_at <= now) {
    throw new AppError("token_revoked", "The session of this access token has ended; log in again");
  }
  return { kind: "session", userId: claims.sub, sessionId: claims.sid, scopes: SESSION_SCOPES, ...toIdentity(row) };
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
