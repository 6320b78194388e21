import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { items } from "../catalog/tables";

/** An item's license settings, set by its author; without a row the defaults apply. */
export const licensePolicies = sqliteTable("license_policies", {
  itemId: text("item_id")
    .primaryKey()
    .references(() => items.id, { onDelete: "cascade" }),
  orgId: text("org_id").notNull(),
  /** 4 letters or digits that start every key issued for the item. */
  keyPrefix: text("key_prefix").notNull(),
  maxActivations: integer("max_activations").notNull(),
  updatedAt: integer("updated_at").notNull(),
  updatedBy: text("updated_by").notNull(),
});

/**
 * A license key, one per purchased item and per subscription, following its entitlement. Only the
 * key's HMAC (`key_hash`, keyed with LICENSE_KEY_SECRET) and its last group are stored. The id is
 * derived from the order or subscription, so issuing it again writes nothing.
 */
export const licenses = sqliteTable(
  "licenses",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    itemId: text("item_id")
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull(),
    entitlementId: text("entitlement_id").notNull(),
    /** The purchase's order; null for a subscription's license (it outlives each invoice's order). */
    orderId: text("order_id"),
    subscriptionId: text("subscription_id"),
    keyHash: text("key_hash").notNull().unique(),
    keyPrefix: text("key_prefix").notNull(),
    lastGroup: text("last_group").notNull(),
    status: text("status", { enum: ["active", "revoked", "expired", "suspended", "disputed"] }).notNull(),
    /** Null for purchases; a subscription's mirrors its entitlement's expiry (period end or grace). */
    expiresAt: integer("expires_at"),
    /** Taken from the item's policy when issued: what the buyer bought. */
    maxActivations: integer("max_activations").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    revokedAt: integer("revoked_at"),
    /** The expiry the buyer was last warned about (14 days ahead), so each is warned of once. */
    expiryWarnedFor: integer("expiry_warned_for"),
  },
  (t) => [
    index("licenses_user_idx").on(t.userId, t.createdAt),
    /** The author's list of an item's keys, newest first. */
    index("licenses_item_idx").on(t.itemId, t.createdAt),
    index("licenses_order_idx").on(t.orderId),
    index("licenses_subscription_idx").on(t.subscriptionId),
    index("licenses_entitlement_idx").on(t.entitlementId),
    index("licenses_status_expires_idx").on(t.status, t.expiresAt),
  ],
);

/** An installation a license is activated on, one per (license, fingerprint). */
export const licenseActivations = sqliteTable(
  "license_activations",
  {
    id: text("id").primaryKey(),
    licenseId: text("license_id")
      .notNull()
      .references(() => licenses.id, { onDelete: "cascade" }),
    fingerprint: text("fingerprint").notNull(),
    name: text("name"),
    createdAt: integer("created_at").notNull(),
    lastValidatedAt: integer("last_validated_at"),
  },
  (t) => [uniqueIndex("license_activations_fingerprint_idx").on(t.licenseId, t.fingerprint)],
);

/**
 * The one-time reveal of a new key: sealed with AES-256-GCM (ENCRYPTION_KEYS), written in the
 * fulfillment batch only by the attempt whose license row won, deleted when the checkout's status
 * endpoint shows it, and purged by maintenance once `expires_at` passes unread.
 */
export const licenseReveals = sqliteTable(
  "license_reveals",
  {
    licenseId: text("license_id")
      .primaryKey()
      .references(() => licenses.id, { onDelete: "cascade" }),
    checkoutId: text("checkout_id").notNull(),
    sealedKey: text("sealed_key").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("license_reveals_checkout_idx").on(t.checkoutId), index("license_reveals_expires_idx").on(t.expiresAt)],
);

// ---- downloads ----
