import { and, eq } from "drizzle-orm";
import { resealed, sealedUnderOtherKey, stillHolds } from "../crypto/reseal";
import { currentKeyId } from "../crypto/secret-box";
import { connectAccounts } from "../db/schema";
import type { Job } from "../maintenance/jobs";

/**
 * Key rotation's second half: account ids still sealed under an older key are opened and sealed
 * again under the current one, so the old key can leave ENCRYPTION_KEYS once this reports 0 (and
 * so do `reseal-mail`, `reseal-webhook-secrets` and `reseal-license-reveals`). Each update only
 * applies if the row still holds the value that was read.
 */
export const resealConnectAccounts: Job = async ({ db, env, batchSize }) => {
  const current = await currentKeyId(env.ENCRYPTION_KEYS);
  const stale = await db
    .select({ orgId: connectAccounts.orgId, sealed: connectAccounts.accountIdEncrypted })
    .from(connectAccounts)
    .where(sealedUnderOtherKey(connectAccounts.accountIdEncrypted, current))
    .limit(batchSize);
  for (const row of stale) {
    await db
      .update(connectAccounts)
      .set({ accountIdEncrypted: await resealed(env.ENCRYPTION_KEYS, current, row.sealed) })
      .where(and(eq(connectAccounts.orgId, row.orgId), stillHolds(connectAccounts.accountIdEncrypted, row.sealed)));
  }
  return stale.length;
};
