import { and, eq, or } from "drizzle-orm";
import { resealed, sealedUnderOtherKey, stillHolds } from "../crypto/reseal";
import { currentKeyId } from "../crypto/secret-box";
import type { Job } from "../module";
import { webhookEndpoints } from "./tables";

/**
 * Key rotation for webhook endpoints: signing secrets (the current one, and the previous one
 * kept after a secret rotation) still sealed under an older key are opened and sealed again under
 * the current one. Each update only applies if the row still holds the values that were read (a
 * secret rotation meanwhile wins).
 */
export const resealWebhookSecrets: Job = async ({ db, env, batchSize }) => {
  const current = await currentKeyId(env.ENCRYPTION_KEYS);
  const e = webhookEndpoints;
  const stale = await db
    .select({ id: e.id, secret: e.secret, previousSecret: e.previousSecret })
    .from(e)
    .where(or(sealedUnderOtherKey(e.secret, current), sealedUnderOtherKey(e.previousSecret, current)))
    .limit(batchSize);
  for (const row of stale) {
    await db
      .update(e)
      .set({
        secret: await resealed(env.ENCRYPTION_KEYS, current, row.secret),
        previousSecret: await resealed(env.ENCRYPTION_KEYS, current, row.previousSecret),
      })
      .where(and(eq(e.id, row.id), stillHolds(e.secret, row.secret), stillHolds(e.previousSecret, row.previousSecret)));
  }
  return stale.length;
};
