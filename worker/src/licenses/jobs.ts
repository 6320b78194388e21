import { and, eq, inArray, lt, lte, sql } from "drizzle-orm";
import { resealColumnJob } from "../crypto/reseal";
import type { Job } from "../module";
import { announceChanges } from "./issuance";
import { licenseReveals, licenses } from "./tables";

/**
 * Licenses past their expiry become `expired`: a subscription's license carries its entitlement's
 * expiry (period end, or the grace period while past due), so this is the license side of
 * `expire-entitlements`. The License API already answers `expired` from the time alone; this makes
 * the state visible in D1. A renewal makes the license active again (issuance.ts). The items'
 * `licenses.changed` statements run in the same batch.
 */
export const expireLicenses: Job = async (ctx) => {
  const { db, now, batchSize } = ctx;
  const lapsed = () =>
    db
      .select({ id: licenses.id, orgId: licenses.orgId, itemId: licenses.itemId })
      .from(licenses)
      .where(and(eq(licenses.status, "active"), lte(licenses.expiresAt, now)))
      .limit(batchSize);
  const items = await db.selectDistinct({ orgId: sql<string>`org_id`, itemId: sql<string>`item_id` }).from(lapsed().as("lapsed"));
  if (items.length === 0) return 0;
  const [expired] = await db.batch([
    db
      .update(licenses)
      .set({ status: "expired", updatedAt: now })
      .where(and(inArray(licenses.id, db.select({ id: sql`id` }).from(lapsed().as("lapsed"))), eq(licenses.status, "active")))
      .returning({ id: licenses.id }),
    ...(await announceChanges(ctx, items, now)),
  ]);
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
