/**
 * The principal behind a session's access token, and the user part of any principal: read with
 * the credential in one D1 query, which is what lets revocation take effect at once.
 */
import { and, eq, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import type { Ctx } from "../context";
import { subquery } from "../db/subquery";
import { AppError } from "../http/errors";
import { type Identity, type Principal, SESSION_SCOPES } from "../http/principal";
import { verifyAccessToken } from "./access-token";
import { sessions, users } from "./tables";

/** The caller's SQL for a user's memberships as a JSON array (orgs owns them): `userId` is a column. */
export type MembershipsSql = (userId: SQLWrapper) => SQL<string>;

/** SQL: the user `userId` as the JSON object a principal's `user` is read from (`identityUser`). */
export const identityUserSql = (userId: SQLWrapper) =>
  subquery<string>(
    sql`(SELECT json_object('id', ${users.id}, 'email', ${users.email}, 'name', ${users.name}, 'emailVerifiedAt', ${users.emailVerifiedAt}, 'isOperator', ${users.isOperator}, 'activeOrgId', ${users.activeOrgId}, 'createdAt', ${users.createdAt}) FROM ${users} WHERE ${users.id} = ${userId})`,
  );

/** Reads what `identityUserSql` selected. */
export function identityUser(json: string): Identity["user"] {
  const user = JSON.parse(json) as Omit<Identity["user"], "isOperator"> & { isOperator: number };
  return { ...user, isOperator: user.isOperator === 1 };
}

/** The session principal of a bearer access token: 401 unless its session is live now. */
export async function sessionPrincipal(
  ctx: Pick<Ctx, "db" | "env">,
  input: { bearer: string; memberships: MembershipsSql },
): Promise<Principal> {
  const claims = await verifyAccessToken(ctx.env.JWT_SECRET, input.bearer);
  const [row] = await ctx.db
    .select({
      revokedAt: sessions.revokedAt,
      expiresAt: sessions.expiresAt,
      user: identityUserSql(sessions.userId),
      memberships: input.memberships(sessions.userId),
    })
    .from(sessions)
    .where(and(eq(sessions.id, claims.sid), eq(sessions.userId, claims.sub)))
    .limit(1);
  if (!row?.user || row.revokedAt || row.expiresAt <= Date.now()) {
    throw new AppError("token_revoked", "The session of this access token has ended; log in again");
  }
  return {
    kind: "session",
    userId: claims.sub,
    sessionId: claims.sid,
    scopes: SESSION_SCOPES,
    user: identityUser(row.user),
    memberships: JSON.parse(row.memberships),
  };
}
