/**
 * Password-less sign-in by e-mail: how guests who bought without an account (and anyone who
 * forgot their password) reach the customer portal. A link works once, for 30 minutes; only its
 * SHA-256 is stored. Asking always answers the same, so it tells nobody whether an address has
 * an account.
 */
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { Ctx } from "../context";
import { sha256Hex } from "../crypto/hash";
import { newSecret } from "../crypto/random";
import { AppError } from "../http/errors";
import { counter, takeHit, type Window } from "../http/rate-limit";
import { enqueueMail, magicLinkMail, mailInsert } from "../mail";
import { startSession } from "./sessions";
import { emailTokens, users } from "./tables";
import { findAccountByEmail } from "./users";

export const MAGIC_LINK_TTL_MS = 30 * 60_000;
/** Links asked for: 5 per address and 30 per IP in 15 minutes (each one sends an e-mail). */
export const MAGIC_LINK_LIMITS = {
  email: { limit: 5, windowMs: 15 * 60_000 } satisfies Window,
  ip: { limit: 30, windowMs: 15 * 60_000 } satisfies Window,
};

export async function requestMagicLink(ctx: Ctx, input: { email: string }, now = Date.now()) {
  const { db, env, meta } = ctx;
  const { email } = input;
  await takeHit(
    env,
    [counter(`magic:email:${email}`, MAGIC_LINK_LIMITS.email), counter(`magic:ip:${meta.ip ?? "unknown"}`, MAGIC_LINK_LIMITS.ip)],
    now,
  );
  const user = await findAccountByEmail(db, email);
  if (!user) return;
  const token = newSecret("ml");
  const url = `${env.APP_URL}/magic-link?token=${encodeURIComponent(token)}`;
  const mail = await mailInsert(ctx, { to: email, mail: magicLinkMail(url, MAGIC_LINK_TTL_MS / 60_000) });
  await db.batch([
    db.insert(emailTokens).values({
      tokenHash: await sha256Hex(token),
      purpose: "magic_link",
      userId: user.id,
      createdAt: now,
      expiresAt: now + MAGIC_LINK_TTL_MS,
    }),
    mail.insert,
  ]);
  await enqueueMail(ctx, [mail.id]);
}

/**
 * Spends a link and starts a session. Following the link proves the address, so an unverified
 * account becomes verified. Unknown, used and expired links all get the same answer.
 */
export async function redeemMagicLink(ctx: Ctx, input: { token: string }, now = Date.now()) {
  const { db } = ctx;
  const [claimed] = await db
    .update(emailTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(emailTokens.tokenHash, await sha256Hex(input.token)),
        eq(emailTokens.purpose, "magic_link"),
        isNull(emailTokens.usedAt),
        gt(emailTokens.expiresAt, now),
      ),
    )
    .returning({ userId: emailTokens.userId });
  const [user] = claimed ? await db.select().from(users).where(eq(users.id, claimed.userId)).limit(1) : [];
  if (!user) throw new AppError("token_invalid", "This sign-in link is invalid, used or expired; ask for a new one");
  const verify = db
    .update(users)
    .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${now})` })
    .where(eq(users.id, user.id));
  return startSession(ctx, {
    user: { ...user, emailVerifiedAt: user.emailVerifiedAt ?? now },
    action: "auth.magic_link_login",
    alongside: [verify],
  });
}
