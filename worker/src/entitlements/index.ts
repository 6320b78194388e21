/** Who may use which item: grants from purchases, subscriptions and operators. */
import { defineModule } from "../module";
import { entitlementRoutes } from "./routes";

export { entitlementEffectiveSql, entitlementExpiresAtSql, entitlementIdSql, holdsActiveEntitlement } from "./conditions";
export { findActiveEntitlement, grantEntitlementStatements, revokeEntitlementStatements } from "./service";

export const entitlementsModule = defineModule({
  name: "entitlements",
  routes: entitlementRoutes,
  webhookEvents: ["entitlement.granted", "entitlement.revoked"] as const,
});
