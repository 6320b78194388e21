import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { orgs } from "../orgs/tables";

/**
 * An author org's Stripe Connect Express account. The account id is stored only AES-256-GCM
 * encrypted (`keyId:iv:tag:ciphertext`); `account_lookup` is its keyed hash, so an incoming
 * `account.updated` event finds its org without decrypting every row.
 */
export const connectAccounts = sqliteTable("connect_accounts", {
  orgId: text("org_id")
    .primaryKey()
    .references(() => orgs.id, { onDelete: "cascade" }),
  accountIdEncrypted: text("account_id_encrypted").notNull(),
  accountLookup: text("account_lookup").notNull().unique(),
  chargesEnabled: integer("charges_enabled", { mode: "boolean" }).notNull().default(false),
  payoutsEnabled: integer("payouts_enabled", { mode: "boolean" }).notNull().default(false),
  detailsSubmitted: integer("details_submitted", { mode: "boolean" }).notNull().default(false),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});
