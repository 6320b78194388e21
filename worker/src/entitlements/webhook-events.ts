import type { SQL } from "drizzle-orm";
import { findItem } from "../catalog";
import type { Db } from "../db/client";
import { webhookEventIf } from "../webhooks";
import type { entitlements } from "./tables";

type EntitlementFields = Pick<typeof entitlements.$inferSelect, "id" | "itemId" | "userId" | "source" | "status" | "expiresAt">;

/**
 * `entitlement.granted` or `.revoked` for the org that owns the item, written only if `condition`
 * holds where the insert sits in the batch. Grants and revocations are guarded upserts and
 * updates, so the condition, not the id, is what keeps a replay from writing a second event;
 * the id is derived from the entitlement and the time of the change.
 */
export async function entitlementEvent(
  db: Db,
  {
    type,
    entitlement,
    condition,
    now,
  }: { type: "entitlement.granted" | "entitlement.revoked"; entitlement: EntitlementFields; condition: SQL; now: number },
) {
  const found = await findItem(db, entitlement.itemId);
  if (!found) throw new Error(`No item ${entitlement.itemId} for a webhook event`);
  const { id, slug, name, orgId } = found.item;
  const data = {
    id: entitlement.id,
    item: { id, slug, name },
    userId: entitlement.userId,
    source: entitlement.source,
    status: entitlement.status,
    expiresAt: entitlement.expiresAt,
  };
  return webhookEventIf(db, orgId, type, data, condition, { cause: `${entitlement.id}:${now}`, now });
}
