import { and, desc, eq, gt, isNull, ne, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { UserT } from "../../../shared/api";
import { auditInsert } from "../audit";
import type { RequestMeta } from "../context";
import { sha256Hex } from "../crypto/hash";
import { decoyHash, hashPassword, NO_PASSWORD, verifyPassword } from "../crypto/password";
import { newId, newSecret } from "../crypto/random";
import type { Db } from "../db/client";
import { emailTokens, refreshTokens, sessions, users } from "../db/schema";
import type { Env } from "../env";
import { AppError } from "../http/errors";
import { type Counter, clearHits, counter, giveBackHit, takeHit, type Window } from "../http/rate-limit";
import { enqueueMail, mailInsert, passwordChangedMail, verifyEmailMail } from "../mail";
import { disconnectFromRooms } from "../rooms/access-changes";
import { signAccessToken } from "./access-token";

const DAY = 86_400_000;
const VERIFY_TTL_MS = DAY;
/** Failed logins: 5 per account and 50 per IP in 15 minutes. */
export const LOGIN_LIMITS = {
  account: { limit: 5, windowMs: 15 * 60_000 } satisfies Window,
  ip: { limit: 50, windowMs: 15 * 60_000 } satisfies Window,
};
const RESEND_LIMIT: Window = { limit: 3, windowMs: 60 * 60_000 };

export type UserRow = typeof users.$inferSelect;

export function toUser(row: Omit<UserRow, "passwordHash">): UserT {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    emailVerified: row.emailVerifiedAt !== null,
    isOperator: row.isOperator,
    createdAt: row.createdAt,
  };
}

async function verificationMail(db: Db, env: Env, user: Pick<UserRow, "id" | "name" | "email">) {
  const token = newSecret("ev");
  const now = Date.now();
  const url = `${env.APP_URL}/verify-email?token=${encodeURIComponent(token)}`;
  const mail = await mailInsert({ env, db }, { to: user.email, mail: verifyEmailMail(user.name, url) });
  const insertToken = db.insert(emailTokens).values({
    tokenHash: await sha256Hex(token),
    purpose: "verify_email",
    userId: user.id,
    createdAt: now,
    expiresAt: now + VERIFY_TTL_MS,
  });
  return { mailId: mail.id, statements: [insertToken, mail.insert] as const };
}

export async function signup(db: Db, env: Env, meta: RequestMeta, input: { email: string; password: string; name: string }) {
  const existing = await db.query.users.findFirst({ columns: { id: true }, where: eq(users.email, input.email) });
  if (existing) throw new AppError("conflict", "An account with this e-mail already exists; log in, or ask for a sign-in link by e-mail");
  const row: UserRow = {
    id: newId("user"),
    email: input.email,
    name: input.name,
    passwordHash: await hashPassword(input.password),
    emailVerifiedAt: null,
    isOperator: false,
    activeOrgId: null,
    createdAt: Date.now(),
  };
  const verification = await verificationMail(db, env, row);
  try {
    await db.batch([
      db.insert(users).values(row),
      ...verification.statements,
      auditInsert({ db, meta }, { action: "user.signed_up", actorUserId: row.id, targetType: "user", targetId: row.id }),
    ]);
  } catch (err) {
    // Two sign-ups racing for one address: the unique index decides, nothing partial remains.
    if (String(err).includes("UNIQUE")) throw new AppError("conflict", "An account with this e-mail already exists; log in instead");
    throw err;
  }
  await enqueueMail({ env }, [verification.mailId]);
  return toUser(row);
}

export async function verifyEmail(db: Db, meta: RequestMeta, token: string) {
  const now = Date.now();
  const claimed = await db
    .update(emailTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(emailTokens.tokenHash, await sha256Hex(token)),
        eq(emailTokens.purpose, "verify_email"),
        isNull(emailTokens.usedAt),
        gt(emailTokens.expiresAt, now),
      ),
    )
    .returning({ userId: emailTokens.userId });
  const userId = claimed[0]?.userId;
  if (!userId) throw new AppError("token_invalid", "This verification link is invalid, used or expired; request a new one");
  const [updated] = await db.batch([
    db
      .update(users)
      .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${now})` })
      .where(eq(users.id, userId))
      .returning(),
    auditInsert({ db, meta }, { action: "user.email_verified", actorUserId: userId, targetType: "user", targetId: userId }),
  ]);
  return toUser(updated[0]!);
}

/**
 * Always answers the same, whether or not the address is known or already verified: every request
 * counts towards the address's limit, so a 429 does not tell either.
 */
export async function resendVerification(db: Db, env: Env, email: string) {
  await takeHit(db, [counter(`verify:${email}`, RESEND_LIMIT)]);
  const user = await db.query.users.findFirst({ where: eq(users.email, email) });
  if (!user || user.emailVerifiedAt) return;
  const verification = await verificationMail(db, env, user);
  await db.batch(verification.statements);
  await enqueueMail({ env }, [verification.mailId]);
}

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

/**
 * Failures are limited per account and per IP. Each attempt takes its hit before the password is
 * checked (so a burst gets exactly the limit checked) and a right password gives it back.
 */
export async function login(db: Db, env: Env, meta: RequestMeta, input: { email: string; password: string }): Promise<IssuedTokens> {
  const now = Date.now();
  const account = counter(`login:acct:${input.email}`, LOGIN_LIMITS.account);
  const ip = counter(`login:ip:${meta.ip ?? "unknown"}`, LOGIN_LIMITS.ip);
  await takeHit(db, [account, ip], now);

  const user = await db.query.users.findFirst({ where: eq(users.email, input.email) });
  const ok = await verifyPassword(input.password, user?.passwordHash ?? (await decoyHash()));
  if (!user || !ok) {
    if (user) await auditInsert({ db, meta }, { action: "auth.login_failed", actorUserId: user.id, targetType: "user", targetId: user.id });
    throw new AppError("invalid_credentials", "E-mail or password is incorrect");
  }
  if (!user.emailVerifiedAt) {
    await db.batch([giveBackHit(db, account, now), giveBackHit(db, ip, now)]);
    throw new AppError("email_not_verified", "Verify your e-mail first; we can send the link again");
  }

  return startSession(db, env, meta, user, "auth.login", [clearHits(db, account.key), giveBackHit(db, ip, now)]);
}

/** A new session for a user who proved who they are (password or magic link), with its tokens. */
export async function startSession(
  db: Db,
  env: Env,
  meta: RequestMeta,
  user: UserRow,
  action: "auth.login" | "auth.magic_link_login",
  extra: BatchItem<"sqlite">[] = [],
) {
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
    auditInsert({ db, meta }, { action, actorUserId: user.id, targetType: "session", targetId: sessionId }),
    ...extra,
  ]);
  return issue(env, toUser(user), sessionId, refresh, now + refreshMs);
}

async function issue(env: Env, user: UserT, sessionId: string, refreshToken: string, refreshTokenExpiresAt: number): Promise<IssuedTokens> {
  const access = await signAccessToken(env.JWT_SECRET, user.id, sessionId, ttls(env).accessSeconds);
  return { accessToken: access.token, accessTokenExpiresAt: access.expiresAt, refreshToken, refreshTokenExpiresAt, user };
}

/**
 * Rotates a refresh token. A token that was already used means it leaked (or a client replayed
 * it): the whole session, with every token descended from it, is revoked.
 */
export async function refresh(db: Db, env: Env, meta: RequestMeta, token: string): Promise<IssuedTokens> {
  const now = Date.now();
  const tokenHash = await sha256Hex(token);
  const row = await db.query.refreshTokens.findFirst({ where: eq(refreshTokens.tokenHash, tokenHash) });
  if (!row) throw new AppError("token_invalid", "The refresh token is not valid");
  const session = await db.query.sessions.findFirst({ where: eq(sessions.id, row.sessionId) });
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
      auditInsert(
        { db, meta },
        {
          action: "auth.refresh_reuse_detected",
          actorUserId: session.userId,
          targetType: "session",
          targetId: session.id,
        },
      ),
    ]);
    await disconnectFromRooms(env, db, { sessionId: session.id });
    throw new AppError("token_revoked", "This refresh token was already used; the session has been revoked for safety");
  }
  if (row.expiresAt <= now || session.expiresAt <= now) throw new AppError("token_expired", "The session has expired; log in again");

  const user = await db.query.users.findFirst({ where: eq(users.id, session.userId) });
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
  return issue(env, toUser(user), session.id, next, now + refreshMs);
}

/**
 * Sets a new password: the current one must match (failures count towards the login limit of the
 * account), unless the account never had one (a guest from checkout, signed in by e-mail link).
 * Every other session ends (their room sockets close), the change is audited, and the owner is told by e-mail.
 */
export async function changePassword(
  db: Db,
  env: Env,
  meta: RequestMeta,
  userId: string,
  sessionId: string,
  input: { currentPassword?: string; newPassword: string },
) {
  const now = Date.now();
  const user = await db.query.users.findFirst({ where: eq(users.id, userId) });
  if (!user) throw new AppError("token_revoked", "This account no longer exists");
  const account = counter(`login:acct:${user.email}`, LOGIN_LIMITS.account);
  const hasPassword = user.passwordHash !== NO_PASSWORD;
  if (hasPassword) await checkCurrentPassword(db, meta, user, account, input.currentPassword, now);
  const mail = await mailInsert({ env, db }, { to: user.email, mail: passwordChangedMail(user.name, `${env.APP_URL}/settings/sessions`) });
  await db.batch([
    db
      .update(users)
      .set({ passwordHash: await hashPassword(input.newPassword) })
      .where(eq(users.id, user.id)),
    db
      .update(sessions)
      .set({ revokedAt: now, revokeReason: "password_changed" })
      .where(and(eq(sessions.userId, user.id), isNull(sessions.revokedAt), ne(sessions.id, sessionId))),
    auditInsert({ db, meta }, { action: "auth.password_changed", actorUserId: user.id, targetType: "user", targetId: user.id }),
    mail.insert,
    // The right guess gives its hit back.
    ...(hasPassword ? [giveBackHit(db, account, now)] : []),
  ]);
  await enqueueMail({ env }, [mail.id]);
  await disconnectFromRooms(env, db, { userId: user.id, sessionsOtherThan: sessionId });
}

/** Checks a guess of the current password, taking a hit on the account's login limit first. */
async function checkCurrentPassword(db: Db, meta: RequestMeta, user: UserRow, account: Counter, guess: string | undefined, now: number) {
  if (!guess) throw new AppError("invalid_request", "Give your current password", { fields: { "body.currentPassword": ["is required"] } });
  await takeHit(db, [account], now);
  if (!(await verifyPassword(guess, user.passwordHash))) {
    await auditInsert({ db, meta }, { action: "auth.password_change_failed", actorUserId: user.id, targetType: "user", targetId: user.id });
    throw new AppError("invalid_request", "The current password is not correct", {
      fields: { "body.currentPassword": ["is not correct"] },
    });
  }
}

/** Ends one of the user's own sessions, and its room sockets; another user's session is reported as not found. */
export async function revokeSession(db: Db, env: Env, meta: RequestMeta, userId: string, sessionId: string, reason: "logout" | "revoked") {
  const owned = await db.query.sessions.findFirst({
    columns: { id: true },
    where: and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)),
  });
  if (!owned) throw new AppError("not_found", "Session not found");
  await db.batch([
    db.update(sessions).set({ revokedAt: Date.now(), revokeReason: reason }).where(eq(sessions.id, sessionId)),
    auditInsert(
      { db, meta },
      {
        action: reason === "logout" ? "auth.logout" : "session.revoked",
        actorUserId: userId,
        targetType: "session",
        targetId: sessionId,
      },
    ),
  ]);
  await disconnectFromRooms(env, db, { sessionId });
}

export async function listSessions(db: Db, userId: string, currentSessionId: string | undefined) {
  const now = Date.now();
  const rows = await db.query.sessions.findMany({
    where: and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)),
    orderBy: desc(sessions.lastUsedAt),
    limit: 100,
  });
  return rows.map((s) => ({
    id: s.id,
    createdAt: s.createdAt,
    lastUsedAt: s.lastUsedAt,
    expiresAt: s.expiresAt,
    userAgent: s.userAgent,
    ip: s.ip,
    current: s.id === currentSessionId,
  }));
}
