/**
 * The webhook events of Plaza's domain changes, built from the rows the change writes. Each id is
 * derived from what happened (the order, the license, the refunded total), so the same change
 * written twice — a replayed Stripe event — is one event. Put the insert in the change's batch
 * and queue the id after it (`enqueueWebhookEvents`).
 */
import { eq, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { type entitlements, items } from "../db/schema";
import { webhookEventIf } from "./outbox";

type EntitlementRow = Pick<typeof entitlements.$inferSelect, "id" | "itemId" | "userId" | "source" | "status" | "expiresAt">;

export async function itemRefOf(db: Db, itemId: string) {
  const item = await db.query.items.findFirst({ columns: { id: true, slug: true, name: true }, where: eq(items.id, itemId) });
  if (!item) throw new Error(`No item ${itemId} for a webhook event`);
  return item;
}

/**
 * `entitlement.granted` or `.revoked` for the org that owns the item, written only if `condition`
 * holds where the insert sits in the batch. Grants and revocations are guarded upserts and
 * updates, so the condition, not the id, is what keeps a replay from writing a second event;
 * the id is derived from the entitlement and the time of the change.
 */
export async function entitlementEvent(
  db: Db,
  type: "entitlement.granted" | "entitlement.revoked",
  entitlement: EntitlementRow,
  condition: SQL,
  now: number,
) {
  const owner = await db.query.items.findFirst({
    columns: { id: true, slug: true, name: true, orgId: true },
    where: eq(items.id, entitlement.itemId),
  });
  if (!owner) throw new Error(`No item ${entitlement.itemId} for a webhook event`);
  const { orgId, ...item } = owner;
  const data = {
    id: entitlement.id,
    item,
    userId: entitlement.userId,
    source: entitlement.source,
    status: entitlement.status,
    expiresAt: entitlement.expiresAt,
  };
  return webhookEventIf(db, orgId, type, data, condition, { cause: `${entitlement.id}:${now}`, now });
}
