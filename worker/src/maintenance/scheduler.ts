import { eq } from "drizzle-orm";
import { truncateText } from "../../../shared/text";
import { resealConnectAccounts } from "../connect/reseal";
import { newId } from "../crypto/random";
import { createDb } from "../db/client";
import { jobRuns } from "../db/schema";
import type { Env } from "../env";
import { log } from "../http/log";
import { resealMail } from "../mail/reseal";
import { purgeExpiredAdmissions } from "../rooms/admissions";
import { retryRoomTeardowns } from "../rooms/teardown";
import { resealWebhookSecrets } from "../webhooks/reseal";
import {
  expireEntitlements,
  expireLicenses,
  type Job,
  purgeDownloadLinks,
  purgeExpiredCredentials,
  purgeLicenseLeftovers,
  purgeRateLimitWindows,
  purgeSentMail,
  purgeStaleUploads,
  purgeWebhookLog,
  requeueStaleMail,
  requeueStaleStripeEvents,
  requeueUndispatchedWebhooks,
  requeueUnreportedUsage,
  resealLicenseReveals,
  warnExpiringLicenses,
} from "./jobs";
import { thinProjectSnapshots } from "./snapshot-retention";

/** Every maintenance job, run on each cron tick. Add new jobs here. */
export const JOBS: Record<string, Job> = {
  "purge-expired-credentials": purgeExpiredCredentials,
  "requeue-stale-mail": requeueStaleMail,
  "purge-sent-mail": purgeSentMail,
  "purge-stale-uploads": purgeStaleUploads,
  "expire-entitlements": expireEntitlements,
  "expire-licenses": expireLicenses,
  "warn-expiring-licenses": warnExpiringLicenses,
  "purge-license-leftovers": purgeLicenseLeftovers,
  "purge-rate-limit-windows": purgeRateLimitWindows,
  "purge-download-links": purgeDownloadLinks,
  "requeue-stale-stripe-events": requeueStaleStripeEvents,
  "requeue-unreported-usage": requeueUnreportedUsage,
  "reseal-connect-accounts": resealConnectAccounts,
  "reseal-mail": resealMail,
  "reseal-webhook-secrets": resealWebhookSecrets,
  "reseal-license-reveals": resealLicenseReveals,
  "requeue-undispatched-webhooks": requeueUndispatchedWebhooks,
  "purge-webhook-log": purgeWebhookLog,
  "thin-project-snapshots": thinProjectSnapshots,
  "retry-room-teardowns": retryRoomTeardowns,
  "purge-expired-room-admissions": purgeExpiredAdmissions,
};

const BATCH_SIZE = 500;

/**
 * Runs each job once per cron tick. A job_runs row claimed with ON CONFLICT DO NOTHING makes a
 * re-delivered tick a no-op, and records what each run did.
 */
export async function runScheduled(scheduledTime: number, env: Env, jobs: Record<string, Job> = JOBS) {
  const db = createDb(env.DB);
  const results: Record<string, { status: "succeeded" | "failed" | "skipped"; processed: number }> = {};
  for (const [name, job] of Object.entries(jobs)) {
    const runId = newId("jobRun");
    const claimed = await db
      .insert(jobRuns)
      .values({ id: runId, job: name, scheduledAt: scheduledTime, startedAt: Date.now(), status: "running" })
      .onConflictDoNothing()
      .returning({ id: jobRuns.id });
    if (claimed.length === 0) {
      results[name] = { status: "skipped", processed: 0 };
      continue;
    }
    try {
      const processed = await job({ db, env, now: scheduledTime, batchSize: BATCH_SIZE });
      await db.update(jobRuns).set({ status: "succeeded", processed, finishedAt: Date.now() }).where(eq(jobRuns.id, runId));
      results[name] = { status: "succeeded", processed };
    } catch (err) {
      // One failing job must not stop the others.
      await db
        .update(jobRuns)
        .set({ status: "failed", error: truncateText(String(err), 500), finishedAt: Date.now() })
        .where(eq(jobRuns.id, runId));
      log("error", "maintenance job failed", { job: name, error: String(err) });
      results[name] = { status: "failed", processed: 0 };
    }
  }
  return results;
}
