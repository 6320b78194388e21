/** What entitlements announces (context.ts `DomainEvents`); other modules react without entitlements knowing them. */
import type { EntitlementSource } from "../../../shared/catalog";

export interface EntitlementRef {
  id: string;
  userId: string;
  itemId: string;
  source: EntitlementSource;
}

/** An entitlement that ended: revoked (a refund, an ended subscription, an operator), expired, or frozen by a dispute. */
export interface EndedEntitlement extends EntitlementRef {
  status: "revoked" | "expired" | "disputed";
}

declare module "../context" {
  interface DomainEvents {
    /**
     * Entitlements end, announced before the batch that ends them: the statements handlers return
     * run in that batch, after the change (reviews takes the rating out of the item's aggregate,
     * licenses revokes the keys of revoked ones). A handler whose statements write webhook events
     * adds their ids to `webhookEventIds`; the announcer queues them once the batch ran.
     */
    "entitlements.revoked": { entitlements: EndedEntitlement[]; now: number; webhookEventIds: string[] };
    /**
     * Entitlements are granted or claimed again, announced before the batch that claims them; the
     * statements handlers return run after the claim (reviews counts a returning buyer's review again).
     */
    "entitlements.granted": { entitlements: EntitlementRef[]; now: number };
  }
}
