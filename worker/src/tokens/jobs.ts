import { inArray } from "drizzle-orm";
import { CREDENTIAL_RETENTION_MS, endedBefore } from "../auth";
import type { Job } from "../module";
import { apiTokens } from "./tables";

/** API tokens that expired or were revoked before the retention window (auth's credentials'). */
export const purgeEndedApiTokens: Job = async ({ db, now, batchSize }) => {
  const ended = db
    .select({ id: apiTokens.id })
    .from(apiTokens)
    .where(endedBefore(apiTokens, now - CREDENTIAL_RETENTION_MS))
    .limit(batchSize);
  const deleted = await db.delete(apiTokens).where(inArray(apiTokens.id, ended)).returning({ id: apiTokens.id });
  return deleted.length;
};
