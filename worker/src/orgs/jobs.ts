import { inArray, lt, or } from "drizzle-orm";
import { CREDENTIAL_RETENTION_MS, endedBefore } from "../auth";
import type { Job } from "../module";
import { invites } from "./tables";

/** Invites that expired, were revoked or were accepted before the retention window (auth's credentials'). */
export const purgeEndedInvites: Job = async ({ db, now, batchSize }) => {
  const cutoff = now - CREDENTIAL_RETENTION_MS;
  const ended = db
    .select({ id: invites.id })
    .from(invites)
    .where(or(endedBefore(invites, cutoff), lt(invites.acceptedAt, cutoff)))
    .limit(batchSize);
  const deleted = await db.delete(invites).where(inArray(invites.id, ended)).returning({ id: invites.id });
  return deleted.length;
};
