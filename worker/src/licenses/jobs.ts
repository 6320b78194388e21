import { and, eq, inArray, lt, lte } from "drizzle-orm";
import { resealColumnJob } from "../crypto/reseal";
import type { Job } from "../module";
import { licenseReveals, licenses } from "./tables";

/**
 * Licenses past their expiry become `expired`: a subscription's license carries its entitlement's
 * expiry (period end, or the grace period while past due), so this is the license side of
 * `expire-entitlements`. The License API already answers `expired` from the time alone; this makes
 * the state visible in D1. A renewal makes the license active again (issuance.ts).
 */
export const expireLicenses: Job = async ({ db, now, batchSize }) => {
  const lapsed = db
    .select({ id: licenses.id })
    .from(licenses)
    .where(and(eq(licenses.status, "active"), lte(licenses.expiresAt, now)))
    .limit(batchSize);
  const expired = await db
    .update(licenses)
    .set({ status: "expired", updatedAt: now })
    .where(and(inArray(licenses.id, lapsed), eq(licenses.status, "active")))
    .returning({ id: licenses.id });
  return expired.length;
};

/**
 * New license keys nobody came to see within their reveal window are deleted (their hash stays:
 * the license works, the buyer has the e-mail).
 */
export const purgeLicenseLeftovers: Job = async ({ db, now, batchSize }) => {
  const reveals = await db
    .delete(licenseReveals)
    .where(
      inArray(
        licenseReveals.licenseId,
        db.select({ id: licenseReveals.licenseId }).from(licenseReveals).where(lt(licenseReveals.expiresAt, now)).limit(batchSize),
      ),
    )
    .returning({ id: licenseReveals.licenseId });
  return reveals.length;
};

/**
 * Key rotation for license keys waiting to be revealed (sealed for their reveal window, then
 * purged above): the ones still sealed under an older key are sealed again under the current one,
 * like `reseal-connect-accounts`. Each update only applies if the row still holds what was read.
 */
export const resealLicenseReveals = resealColumnJob(licenseReveals, "licenseId", "sealedKey");

/** The cron jobs of licenses, by their `job_runs.job` names. */
export const licenseJobs = {
  "expire-licenses": expireLicenses,
  "purge-license-leftovers": purgeLicenseLeftovers,
  "reseal-license-reveals": resealLicenseReveals,
};
