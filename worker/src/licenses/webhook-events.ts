import { maskLicenseKey } from "../../../shared/licenses";
import { findItemRef } from "../catalog";
import type { Db } from "../db/client";
import { webhookEvent } from "../webhooks";
import type { licenses } from "./tables";

type LicenseFields = Pick<
  typeof licenses.$inferSelect,
  "id" | "orgId" | "itemId" | "userId" | "keyPrefix" | "lastGroup" | "status" | "expiresAt"
>;

/**
 * `license.created` or `license.revoked` for the org that sells the item, the key masked. Its id
 * is derived from the license, so the same change written twice (a replayed event) is one event.
 */
export async function licenseEvent(db: Db, type: "license.created" | "license.revoked", license: LicenseFields, now: number) {
  const item = await findItemRef(db, license.itemId);
  if (!item) throw new Error(`No item ${license.itemId} for a webhook event`);
  const data = {
    id: license.id,
    item,
    userId: license.userId,
    key: maskLicenseKey(license.keyPrefix, license.lastGroup),
    status: license.status,
    expiresAt: license.expiresAt,
  };
  return webhookEvent(db, license.orgId, type, data, { cause: license.id, now });
}
