import type { EventHandlers, Statement } from "../context";
import { revokeEntitlementLicenses } from "./issuance";

/**
 * License keys follow their entitlement: a revoked one's keys are revoked in the same batch, with
 * their `license.revoked` events. An expired one's keys expire on their own (`expire-licenses`).
 */
export const licensesEvents: EventHandlers = {
  "entitlements.revoked": async (ctx, { entitlements, now, webhookEventIds }) => {
    const statements: Statement[] = [];
    for (const entitlement of entitlements) {
      if (entitlement.status !== "revoked") continue;
      const revoked = await revokeEntitlementLicenses(ctx, entitlement.id, now);
      statements.push(...revoked.statements);
      webhookEventIds.push(...revoked.webhookEventIds);
    }
    return statements;
  },
};
