/** Who may use which item: grants from purchases, subscriptions and operators. */
import { defineModule } from "../module";
import "./events";
import { expireEntitlements } from "./jobs";
import { entitlementRoutes } from "./routes";

export {
  entitlementEffectiveSql,
  entitlementExpiresAtSql,
  entitlementIdSql,
  holdsActiveEntitlement,
  holdsReviewableEntitlement,
} from "./conditions";
export type { EndedEntitlement, EntitlementRef } from "./events";
export {
  disputeEntitlementStatements,
  type EntitlementRow,
  type EntitlementStatements,
  entitlementsOf,
  findActiveEntitlement,
  findEntitlement,
  type GrantInput,
  grantEntitlementStatements,
  isEffectiveAt,
  restoreEntitlementStatements,
  revokeEntitlement,
  revokeEntitlementStatements,
  toEntitlement,
} from "./service";

export const entitlementsModule = defineModule({
  name: "entitlements",
  routes: entitlementRoutes,
  jobs: { "expire-entitlements": expireEntitlements },
  webhookEvents: ["entitlement.granted", "entitlement.revoked"] as const,
});
