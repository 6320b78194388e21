/** Accounts: sign-up, e-mail verification, the active org, and how a user is shown. */
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { MeT, UserT } from "../../../shared/api";
import { auditInsert } from "../audit";
import type { Ctx } from "../context";
import { sha256Hex } from "../crypto/hash";
import { hashPassword } from "../crypto/password";
import { newId, newSecret } from "../crypto/random";
import { AppError } from "../http/errors";
import type { Principal } from "../http/principal";
import { counter, takeHit, type Window } from "../http/rate-limit";
import { enqueueMail, mailInsert, verifyEmailMail } from "../mail";
import { emailTokens, users } from "./tables";
import { type Account, findAccountByEmail, type UserRow } from "./users";

const DAY = 86_400_000;
const VERIFY_TTL_MS = DAY;
const RESEND_LIMIT: Window = { limit: 3, windowMs: 60 * 60_000 };

export function toUser(row: Account): UserT {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    emailVerified: row.emailVerifiedAt !== null,
    isOperator: row.isOperator,
    createdAt: row.createdAt,
  };
}

/** The signed-in user, their orgs, and the active one (their first org if the stored one is gone). */
export function me({ user, memberships: orgs }: Principal): MeT {
  const activeOrgId = orgs.some((o) => o.orgId === user.activeOrgId) ? user.activeOrgId : (orgs[0]?.orgId ?? null);
  return { user: toUser(user), activeOrgId, orgs };
}

async function verificationMail(ctx: Ctx, user: Pick<UserRow, "id" | "name" | "email">) {
  const token = newSecret("ev");
  const now = Date.now();
  const url = `${ctx.env.APP_URL}/verify-email?token=${encodeURIComponent(token)}`;
  const mail = await mailInsert(ctx, { to: user.email, mail: verifyEmailMail(user.name, url) });
  const insertToken = ctx.db.insert(emailTokens).values({
    tokenHash: await sha256Hex(token),
    purpose: "verify_email",
    userId: user.id,
    createdAt: now,
    expiresAt: now + VERIFY_TTL_MS,
  });
  return { mailId: mail.id, statements: [insertToken, mail.insert] as const };
}

export async function signup(ctx: Ctx, input: { email: string; password: string; name: string }) {
  const { db } = ctx;
  if (await findAccountByEmail(db, input.email)) {
    throw new AppError("conflict", "An account with this e-mail already exists; log in, or ask for a sign-in link by e-mail");
  }
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
  const verification = await verificationMail(ctx, row);
  try {
    await db.batch([
      db.insert(users).values(row),
      ...verification.statements,
      auditInsert(ctx, { action: "user.signed_up", actorUserId: row.id, targetType: "user", targetId: row.id }),
    ]);
  } catch (err) {
    // Two sign-ups racing for one address: the unique index decides, nothing partial remains.
    if (String(err).includes("UNIQUE")) throw new AppError("conflict", "An account with this e-mail already exists; log in instead");
    throw err;
  }
  await enqueueMail(ctx, [verification.mailId]);
  return toUser(row);
}

export async function verifyEmail(ctx: Ctx, input: { token: string }) {
  const { db } = ctx;
  const now = Date.now();
  const claimed = await db
    .update(emailTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(emailTokens.tokenHash, await sha256Hex(input.token)),
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
    auditInsert(ctx, { action: "user.email_verified", actorUserId: userId, targetType: "user", targetId: userId }),
  ]);
  return toUser(updated[0]!);
}

/**
 * Always answers the same, whether or not the address is known or already verified: every request
 * counts towards the address's limit, so a 429 does not tell either.
 */
export async function resendVerification(ctx: Ctx, input: { email: string }) {
  await takeHit(ctx.env, [counter(`verify:${input.email}`, RESEND_LIMIT)]);
  const user = await findAccountByEmail(ctx.db, input.email);
  if (!user || user.emailVerifiedAt) return;
  const verification = await verificationMail(ctx, user);
  await ctx.db.batch(verification.statements);
  await enqueueMail(ctx, [verification.mailId]);
}

/** Switches the caller's active org to one of theirs; any other is reported as not found. */
export async function setActiveOrg(ctx: Ctx, input: { principal: Principal; orgId: string }) {
  const { principal, orgId } = input;
  if (!principal.memberships.some((o) => o.orgId === orgId)) throw new AppError("not_found", "Org not found");
  await ctx.db.update(users).set({ activeOrgId: orgId }).where(eq(users.id, principal.userId));
}
