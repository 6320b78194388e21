/** License keys, activations and the License API. */
import { defineModule } from "../module";
import { licensesEvents } from "./events-handlers";
import "./events";
import { licenseJobs } from "./jobs";
import { licenseRoutes } from "./routes";

export { licensesToWarn, markExpiryWarned } from "./expiry-warnings";
export {
  disputeOrderLicenses,
  findLicense,
  issuedKey,
  issueLicenseStatements,
  type LicenseIssue,
  type LicenseStatements,
  REVEAL_TTL_MS,
  restoreOrderLicenses,
  revealLicenseKey,
  revokeEntitlementLicenses,
  revokeOrderLicenses,
  revokeSubscriptionLicense,
  undisputeOrderLicenses,
} from "./issuance";
export { licenseRollupSql } from "./rollups";

export const licensesModule = defineModule({
  name: "licenses",
  routes: licenseRoutes,
  jobs: licenseJobs,
  events: licensesEvents,
  webhookEvents: ["license.created", "license.revoked"] as const,
});
