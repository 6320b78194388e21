/** Cron maintenance: running every module's jobs once per tick (scheduler.ts), and the jobs not yet moved to the domain whose data they keep. */
import { defineModule } from "../module";
import {
  expireEntitlements,
  purgeDownloadLinks,
  purgeRateLimitWindows,
  purgeStaleUploads,
  purgeWebhookLog,
  requeueUndispatchedWebhooks,
  requeueUnreportedUsage,
  warnExpiringLicenses,
} from "./jobs";
import { thinProjectSnapshots } from "./snapshot-retention";

export { runScheduled } from "./scheduler";

export const maintenanceModule = defineModule({
  name: "maintenance",
  jobs: {
    "purge-stale-uploads": purgeStaleUploads,
    "expire-entitlements": expireEntitlements,
    "warn-expiring-licenses": warnExpiringLicenses,
    "purge-rate-limit-windows": purgeRateLimitWindows,
    "purge-download-links": purgeDownloadLinks,
    "requeue-unreported-usage": requeueUnreportedUsage,
    "requeue-undispatched-webhooks": requeueUndispatchedWebhooks,
    "purge-webhook-log": purgeWebhookLog,
    "thin-project-snapshots": thinProjectSnapshots,
  },
});
