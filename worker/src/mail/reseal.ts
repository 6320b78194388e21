import { and, eq, or } from "drizzle-orm";
import { resealed, sealedUnderOtherKey, stillHolds } from "../crypto/reseal";
import { currentKeyId } from "../crypto/secret-box";
import type { Job } from "../module";
import { mailMessages } from "./tables";

/**
 * Key rotation for the mail outbox: sealed bodies (text and HTML) and the sealed data of mail
 * rendered when sent (a receipt's payload, which carries the license key) still under an older
 * key are opened and sealed again under the current one; sent mail too, as it is kept 30 days.
 * Each update only applies if the row still holds the values that were read (the consumer may
 * have just rendered it).
 */
export const resealMail: Job = async ({ db, env, batchSize }) => {
  const current = await currentKeyId(env.ENCRYPTION_KEYS);
  const m = mailMessages;
  const stale = await db
    .select({ id: m.id, sealed: m.sealed, text: m.text, html: m.html, payload: m.payload })
    .from(m)
    .where(
      or(
        and(eq(m.sealed, true), or(sealedUnderOtherKey(m.text, current), sealedUnderOtherKey(m.html, current))),
        sealedUnderOtherKey(m.payload, current),
      ),
    )
    .limit(batchSize);
  for (const row of stale) {
    // Unsealed bodies (mail not rendered yet) are not ciphertexts: only the payload is then.
    const body = row.sealed
      ? { text: await resealed(env.ENCRYPTION_KEYS, current, row.text), html: await resealed(env.ENCRYPTION_KEYS, current, row.html) }
      : {};
    await db
      .update(m)
      .set({ ...body, payload: await resealed(env.ENCRYPTION_KEYS, current, row.payload) })
      .where(
        and(eq(m.id, row.id), eq(m.sealed, row.sealed), eq(m.text, row.text), eq(m.html, row.html), stillHolds(m.payload, row.payload)),
      );
  }
  return stale.length;
};
