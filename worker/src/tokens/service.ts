import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { ApiTokenT, CreatedApiTokenT } from "../../../shared/api";
import type { TokenScope } from "../../../shared/roles";
import { auditInsert, auditInsertIf } from "../audit";
import type { Ctx } from "../context";
import { sha256Hex } from "../crypto/hash";
import { newId, newSecret } from "../crypto/random";
import { countBelow, insertIf } from "../db/insert-if";
import { AppError } from "../http/errors";
import { API_TOKEN_PREFIX } from "./authenticate";
import { apiTokens } from "./tables";

export const MAX_TOKENS_PER_USER = 50;

function toApiToken(row: typeof apiTokens.$inferSelect): ApiTokenT {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes,
    prefix: row.prefix,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    expiresAt: row.expiresAt,
  };
}

export async function listTokens(ctx: Ctx, input: { userId: string }): Promise<ApiTokenT[]> {
  const rows = await ctx.db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.userId, input.userId), isNull(apiTokens.revokedAt)))
    .orderBy(desc(apiTokens.createdAt));
  return rows.map(toApiToken);
}

/** The secret is returned once; only its SHA-256 and a short display prefix are stored. */
export async function createToken(
  ctx: Ctx,
  input: { userId: string; name: string; scopes: TokenScope[]; expiresInDays?: number },
): Promise<CreatedApiTokenT> {
  const { db } = ctx;
  const { userId } = input;
  const secret = newSecret(API_TOKEN_PREFIX);
  const now = Date.now();
  const row = {
    id: newId("apiToken"),
    userId,
    name: input.name,
    tokenHash: await sha256Hex(secret),
    prefix: secret.slice(0, 10),
    scopes: [...new Set(input.scopes)],
    createdAt: now,
    lastUsedAt: null,
    expiresAt: input.expiresInDays ? now + input.expiresInDays * 86_400_000 : null,
    revokedAt: null,
  };
  const underCap = countBelow(db, apiTokens, and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)), MAX_TOKENS_PER_USER);
  const [inserted] = await db.batch([
    insertIf(db, apiTokens, row, underCap).returning({ id: apiTokens.id }),
    auditInsertIf(
      ctx,
      {
        action: "token.created",
        actorUserId: userId,
        targetType: "api_token",
        targetId: row.id,
        metadata: { name: row.name, scopes: row.scopes },
      },
      sql`EXISTS (SELECT 1 FROM ${apiTokens} WHERE ${apiTokens.id} = ${row.id})`,
    ),
  ]);
  if (inserted.length === 0) throw new AppError("conflict", `At most ${MAX_TOKENS_PER_USER} active tokens; revoke one first`);
  return { ...toApiToken(row), token: secret };
}

export async function revokeToken(ctx: Ctx, input: { userId: string; tokenId: string }) {
  const { db } = ctx;
  const { userId, tokenId } = input;
  const [owned] = await db
    .select({ id: apiTokens.id })
    .from(apiTokens)
    .where(and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .limit(1);
  if (!owned) throw new AppError("not_found", "Token not found");
  await db.batch([
    db.update(apiTokens).set({ revokedAt: Date.now() }).where(eq(apiTokens.id, tokenId)),
    auditInsert(ctx, { action: "token.revoked", actorUserId: userId, targetType: "api_token", targetId: tokenId }),
  ]);
}
