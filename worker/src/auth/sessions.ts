/** Sessions: password login, rotating refresh tokens, password changes and ending sessions. */
import { and, desc, eq, gt, isNull, ne } from "drizzle-orm";
import type { UserT } from "../../../shared/api";
import { auditInsert } from "../audit";
import type { Ctx, Statement } from "../context";
import { sha256Hex } from "../crypto/hash";
import { decoyHash, hashPassword, NO_PASSWORD, verifyPassword } from "../crypto/password";
import { newId, newSecret } from "../crypto/random";
import type { Env } from "../env";
import { AppError } from "../http/errors";
import { type Counter, clearHits, counter, giveBackHit, takeHit, type Window } from "../http/rate-limit";
import { enqueueMail, mailInsert, passwordChangedMail } from "../mail";
import { signAccessToken } from "./access-token";
import { toUser } from "./accounts";
import { refreshTokens, sessions, users } from "./tables";
import type { UserRow } from "./users";

const DAY = 86_400_000;
/** Failed logins: 5 per account and 50 per IP in 15 minutes. */
export const LOGIN_LIMITS = {
  account: { limit: 5, windowMs: 15 * 60_000 } satisfies Window,
  ip: { limit: 50, windowMs: 15 * 60_000 } satisfies Window,
};

export interface IssuedTokens {
  accessToken: string;
  accessTokenExpiresAt: number;
  refreshToken: string;
  refreshTokenExpiresAt: number;
  user: UserT;
}

function ttls(env: Env) {
  return { accessSeconds: Number(env.ACCESS_TOKEN_TTL_SECONDS) || 900, refreshMs: (Number(env.REFRESH_TOKEN_TTL_DAYS) || 30) * DAY };
}

async function userRow(ctx: Ctx, where: ReturnType<typeof eq>): Promise<UserRow | undefined> {
  const [user] = await ctx.db.select().from(users).where(where).limit(1);
  return user;
}

/**
 * Failures are limited per account and per IP. Each attempt takes its hit before the password is
 * checked (so a burst gets exactly the limit checked) and a right password gives it back.
 */
export async function login(ctx: Ctx, input: { email: string; password: string }): Promise<IssuedTokens> {
  const { env, meta } = ctx;
  const now = Date.now();
  const account = counter(`login:acct:${input.email}`, LOGIN_LIMITS.account);
  const ip = counter(`login:ip:${meta.ip ?? "unknown"}`, LOGIN_LIMITS.ip);
  await takeHit(env, [account, ip], now);

  const user = await userRow(ctx, eq(users.email, input.email));
  const ok = await verifyPassword(input.password, user?.passwordHash ?? (await decoyHash()));
  if (!user || !ok) {
    if (user) await auditInsert(ctx, { action: "auth.login_failed", actorUserId: user.id, targetType: "user", targetId: user.id });
    throw new AppError("invalid_credentials", "E-mail or password is incorrect");
  }
  if (!user.emailVerifiedAt) {
    await Promise.all([giveBackHit(env, account, now), giveBackHit(env, ip, now)]);
    throw new AppError("email_not_verified", "Verify your e-mail first; we can send the link again");
  }

  const issued = await startSession(ctx, { user, action: "auth.login" });
  // Once the session is stored (a failed store keeps the hits, as a failed login would).
  await Promise.all([clearHits(env, account.key), giveBackHit(env, ip, now)]);
  return issued;
}

/**
 * A new session for a user who proved who they are (password or magic link), with its tokens.
 * `alongside`: statements that must commit with it.
 */
export async function startSession(
  ctx: Ctx,
  input: { user: UserRow; action: "auth.login" | "auth.magic_link_login"; alongside?: Statement[] },
) {
  const { db, env, meta } = ctx;
  const { user, action, alongside = [] } = input;
  const now = Date.now();
  const { refreshMs } = ttls(env);
  const sessionId = newId("session");
  const refresh = newSecret("rt");
  await db.batch([
    db.insert(sessions).values({
      id: sessionId,
      userId: user.id,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: now + refreshMs,
      userAgent: meta.userAgent,
      ip: meta.ip,
    }),
    db.insert(refreshTokens).values({ tokenHash: await sha256Hex(refresh), sessionId, createdAt: now, expiresAt: now + refreshMs }),
    auditInsert(ctx, { action, actorUserId: user.id, targetType: "session", targetId: sessionId }),
    ...alongside,
  ]);
  return issue(env, { user: toUser(user), sessionId, refreshToken: refresh, refreshTokenExpiresAt: now + refreshMs });
}

async function issue(
  env: Env,
  {
    user,
    sessionId,
    refreshToken,
    refreshTokenExpiresAt,
  }: { user: UserT; sessionId: string; refreshToken: string; refreshTokenExpiresAt: number },
): Promise<IssuedTokens> {
  const access = await signAccessToken(env.JWT_SECRET, user.id, sessionId, ttls(env).accessSeconds);
  return { accessToken: access.token, accessTokenExpiresAt: access.expiresAt, refreshToken, refreshTokenExpiresAt, user };
}

/**
 * Rotates a refresh token. A token that was already used means it leaked (or a client replayed
 * it): the whole session, with every token descended from it, is revoked.
 */
export async function refresh(ctx: Ctx, input: { refreshToken: string }): Promise<IssuedTokens> {
  const { db, env, meta } = ctx;
  const now = Date.now();
  const tokenHash = await sha256Hex(input.refreshToken);
  const [row] = await db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash)).limit(1);
  if (!row) throw new AppError("token_invalid", "The refresh token is not valid");
  const [session] = await db.select().from(sessions).where(eq(sessions.id, row.sessionId)).limit(1);
  if (!session || session.revokedAt) throw new AppError("token_revoked", "This session has ended; log in again");

  const claimed = row.usedAt
    ? []
    : await db
        .update(refreshTokens)
        .set({ usedAt: now })
        .where(and(eq(refreshTokens.tokenHash, tokenHash), isNull(refreshTokens.usedAt)))
        .returning({ sessionId: refreshTokens.sessionId });
  if (claimed.length === 0) {
    await db.batch([
      db
        .update(sessions)
        .set({ revokedAt: now, revokeReason: "refresh_token_reuse" })
        .where(and(eq(sessions.id, session.id), isNull(sessions.revokedAt))),
      auditInsert(ctx, {
        action: "auth.refresh_reuse_detected",
        actorUserId: session.userId,
        targetType: "session",
        targetId: session.id,
      }),
    ]);
    await ctx.events.emit("session.revoked", { userId: session.userId, sessionIds: [session.id] });
    throw new AppError("token_revoked", "This refresh token was already used; the session has been revoked for safety");
  }
  if (row.expiresAt <= now || session.expiresAt <= now) throw new AppError("token_expired", "The session has expired; log in again");

  const user = await userRow(ctx, eq(users.id, session.userId));
  if (!user) throw new AppError("token_revoked", "This account no longer exists");
  const { refreshMs } = ttls(env);
  const next = newSecret("rt");
  await db.batch([
    db
      .insert(refreshTokens)
      .values({ tokenHash: await sha256Hex(next), sessionId: session.id, createdAt: now, expiresAt: now + refreshMs }),
    db
      .update(sessions)
      .set({ lastUsedAt: now, expiresAt: now + refreshMs, ip: meta.ip, userAgent: meta.userAgent })
      .where(eq(sessions.id, session.id)),
  ]);
  return issue(env, { user: toUser(user), sessionId: session.id, refreshToken: next, refreshTokenExpiresAt: now + refreshMs });
}

/**
 * Sets a new password: the current one must match (failures count towards the login limit of the
 * account), unless the account never had one (a guest from checkout, signed in by e-mail link).
 * Every other session ends (`session.revoked`: their room sockets close), the change is audited,
 * and the owner is told by e-mail.
 */
export async function changePassword(
  ctx: Ctx,
  input: { userId: string; sessionId: string; currentPassword?: string; newPassword: string },
) {
  const { db, env } = ctx;
  const now = Date.now();
  const user = await userRow(ctx, eq(users.id, input.userId));
  if (!user) throw new AppError("token_revoked", "This account no longer exists");
  const account = counter(`login:acct:${user.email}`, LOGIN_LIMITS.account);
  const hasPassword = user.passwordHash !== NO_PASSWORD;
  if (hasPassword) await checkCurrentPassword(ctx, { user, account, guess: input.currentPassword, now });
  const mail = await mailInsert(ctx, { to: user.email, mail: passwordChangedMail(user.name, `${env.APP_URL}/settings/sessions`) });
  const otherSessions = and(eq(sessions.userId, user.id), ne(sessions.id, input.sessionId));
  const [, , ended] = await db.batch([
    db
      .update(users)
      .set({ passwordHash: await hashPassword(input.newPassword) })
      .where(eq(users.id, user.id)),
    db
      .update(sessions)
      .set({ revokedAt: now, revokeReason: "password_changed" })
      .where(and(otherSessions, isNull(sessions.revokedAt))),
    // Every other session is announced, ended before too: whatever it still holds closes now.
    db.select({ id: sessions.id }).from(sessions).where(otherSessions),
    auditInsert(ctx, { action: "auth.password_changed", actorUserId: user.id, targetType: "user", targetId: user.id }),
    mail.insert,
  ]);
  // The right guess gives its hit back, once the change is stored.
  if (hasPassword) await giveBackHit(env, account, now);
  await enqueueMail(ctx, [mail.id]);
  await ctx.events.emit("session.revoked", { userId: user.id, sessionIds: ended.map((s) => s.id) });
}

/** Checks a guess of the current password, taking a hit on the account's login limit first. */
async function checkCurrentPassword(
  ctx: Ctx,
  { user, account, guess, now }: { user: UserRow; account: Counter; guess: string | undefined; now: number },
) {
  if (!guess) throw new AppError("invalid_request", "Give your current password", { fields: { "body.currentPassword": ["is required"] } });
  await takeHit(ctx.env, [account], now);
  if (!(await verifyPassword(guess, user.passwordHash))) {
    await auditInsert(ctx, { action: "auth.password_change_failed", actorUserId: user.id, targetType: "user", targetId: user.id });
    throw new AppError("invalid_request", "The current password is not correct", {
      fields: { "body.currentPassword": ["is not correct"] },
    });
  }
}

/** Ends one of the user's own sessions (`session.revoked`); another user's session is reported as not found. */
export async function revokeSession(ctx: Ctx, input: { userId: string; sessionId: string; reason: "logout" | "revoked" }) {
  const { db } = ctx;
  const { userId, sessionId, reason } = input;
  const [owned] = await db
    .select({ id: sessions.id })
    .from(sessions)
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)))
    .limit(1);
  if (!owned) throw new AppError("not_found", "Session not found");
  await db.batch([
    db.update(sessions).set({ revokedAt: Date.now(), revokeReason: reason }).where(eq(sessions.id, sessionId)),
    auditInsert(ctx, {
      action: reason === "logout" ? "auth.logout" : "session.revoked",
      actorUserId: userId,
      targetType: "session",
      targetId: sessionId,
    }),
  ]);
  await ctx.events.emit("session.revoked", { userId, sessionIds: [sessionId] });
}

export async function listSessions(ctx: Ctx, input: { userId: string; currentSessionId: string | undefined }) {
  const rows = await ctx.db
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, input.userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, Date.now())))
    .orderBy(desc(sessions.lastUsedAt))
    .limit(100);
  return rows.map((s) => ({
    id: s.id,
    createdAt: s.createdAt,
    lastUsedAt: s.lastUsedAt,
    expiresAt: s.expiresAt,
    userAgent: s.userAgent,
    ip: s.ip,
    current: s.id === input.currentSessionId,
  }));
}
