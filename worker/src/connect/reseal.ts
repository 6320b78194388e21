import { and, eq, notLike } from "drizzle-orm";
import { currentKeyId, open, seal } from "../crypto/secret-box";
import { connectAccounts } from "../db/schema";
import type { Job } from "../maintenance/jobs";

/**
 * Key rotation's second half: account ids still sealed under an older key are opened and sealed
 * again under the current one, so the old key can leave ENCRYPTION_KEYS once this reports 0. Each
 * update only applies if the row still holds the value that was read.
 */
export const resealConnectAccounts: Job = async ({ db, env, batchSize }) => {
  const current = await currentKeyId(env.ENCRYPTION_KEYS);
  const stale = await db
    .select({ orgId: connectAccounts.orgId, sealed: connectAccounts.accountIdEncrypted })
    .from(connectAccounts)
    .where(notLike(connectAccounts.accountIdEncrypted, `${current}:%`))
    .limit(batchSize);
  for (const row of stale) {
    const resealed = await seal(env.ENCRYPTION_KEYS, await open(env.ENCRYPTION_KEYS, row.sealed));
    await db
      .update(connectAccounts)
      .set({ accountIdEncrypted: resealed })
      .where(and(eq(connectAccounts.orgId, row.orgId), eq(connectAccounts.accountIdEncrypted, row.sealed)));
  }
  return stale.length;
};
