/** Cron maintenance: running every module's jobs once per tick (scheduler.ts), and the jobs not yet moved to the domain whose data they keep. */
import { defineModule } from "../module";
import {
  expireEntitlements,
  expireLicenses,
  purgeDownloadLinks,
  purgeExpiredCredentials,
  purgeLicenseLeftovers,
  purgeRateLimitWindows,
  purgeSentMail,
  purgeStaleUploads,
  purgeWebhookLog,
  requeueStaleMail,
  requeueUndispatchedWebhooks,
  requeueUnreportedUsage,
  resealLicenseReveals,
  warnExpiringLicenses,
} from "./jobs";
import { thinProjectSnapshots } from "./snapshot-retention";

export { runScheduled } from "./scheduler";

export const maintenanceModule = defineModule({
  name: "maintenance",
  jobs: {
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
    "requeue-unreported-usage": requeueUnreportedUsage,
    "reseal-license-reveals": resealLicenseReveals,
    "requeue-undispatched-webhooks": requeueUndispatchedWebhooks,
    "purge-webhook-log": purgeWebhookLog,
    "thin-project-snapshots": thinProjectSnapshots,
  },
});
