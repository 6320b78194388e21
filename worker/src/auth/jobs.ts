import { type Column, inArray, lt, or } from "drizzle-orm";
import type { Job } from "../module";
import { emailTokens, refreshTokens, sessions } from "./tables";

/**
 * Ended sessions, invites and tokens are kept a week so the audit trail can still name them, and
 * used refresh tokens so that replaying one is still detected as reuse.
 */
export const CREDENTIAL_RETENTION_MS = 7 * 86_400_000;

/** SQL: a credential that expired or was revoked before `cutoff`. */
export const endedBefore = (t: { expiresAt: Column; revokedAt: Column }, cutoff: number) =>
  or(lt(t.expiresAt, cutoff), lt(t.revokedAt, cutoff));

/** Sessions, refresh tokens and e-mailed sign-in and verification links past the retention window. */
export const purgeExpiredCredentials: Job = async ({ db, now, batchSize }) => {
  const cutoff = now - CREDENTIAL_RETENTION_MS;
  // Refresh tokens go with their session (ON DELETE CASCADE); stale ones of live sessions go here.
  const [sessionRows, refreshRows, emailTokenRows] = await db.batch([
    db
      .delete(sessions)
      .where(inArray(sessions.id, db.select({ id: sessions.id }).from(sessions).where(endedBefore(sessions, cutoff)).limit(batchSize)))
      .returning({ id: sessions.id }),
    db
      .delete(refreshTokens)
      .where(
        inArray(
          refreshTokens.tokenHash,
          db.select({ h: refreshTokens.tokenHash }).from(refreshTokens).where(lt(refreshTokens.expiresAt, cutoff)).limit(batchSize),
        ),
      )
      .returning({ id: refreshTokens.tokenHash }),
    db
      .delete(emailTokens)
      .where(
        inArray(
          emailTokens.tokenHash,
          db
            .select({ h: emailTokens.tokenHash })
            .from(emailTokens)
            .where(or(lt(emailTokens.expiresAt, cutoff), lt(emailTokens.usedAt, cutoff)))
            .limit(batchSize),
        ),
      )
      .returning({ id: emailTokens.tokenHash }),
  ]);
  return sessionRows.length + refreshRows.length + emailTokenRows.length;
};
