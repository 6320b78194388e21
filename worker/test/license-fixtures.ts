import { env } from "cloudflare:workers";
import { defaultLicensePrefix } from "../../shared/licenses";
import { newId } from "../src/crypto/random";
import { createDb } from "../src/db/client";
import { licenseActivations, licenses } from "../src/db/schema";
import { generateLicenseKey, hashLicenseKey, lastGroupOf } from "../src/licenses/keys";
import { insertItem } from "./catalog-fixtures";

/**
 * A license written straight into D1 (with its full key returned), for tests of what reads
 * licenses (the License API, listings, authorization). Tests of how licenses come to exist go
 * through checkout and Stripe events instead.
 */
export async function insertLicense(orgId: string, userId: string, overrides: Partial<typeof licenses.$inferInsert> = {}) {
  const db = createDb(env.DB);
  const item = await insertItem(orgId, { pricing: { model: "one_time", amount: 1000, currency: "usd" } });
  const prefix = overrides.keyPrefix ?? defaultLicensePrefix(item.slug);
  const key = generateLicenseKey(prefix);
  const now = Date.now();
  const row = {
    id: newId("license"),
    orgId,
    itemId: item.id,
    userId,
    entitlementId: newId("entitlement"),
    orderId: newId("order"),
    subscriptionId: null,
    keyHash: await hashLicenseKey(env, key),
    keyPrefix: prefix,
    lastGroup: lastGroupOf(key),
    status: "active" as const,
    expiresAt: null,
    maxActivations: 3,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
  await db.insert(licenses).values(row);
  return { ...row, key, item };
}

export async function insertActivation(licenseId: string, fingerprint = `fp-${crypto.randomUUID()}`) {
  const db = createDb(env.DB);
  const id = newId("licenseActivation");
  await db.insert(licenseActivations).values({ id, licenseId, fingerprint, name: "fixture", createdAt: Date.now(), lastValidatedAt: null });
  return { id, fingerprint };
}
