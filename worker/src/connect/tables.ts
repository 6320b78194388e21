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
  /**
   * Payouts need attention: the newest failed payout (Stripe's id, failure code and message, and its
   * `created` in Stripe seconds), cleared by a payout paid after it. `lastPaidPayoutCreated` is the
   * newest paid payout's `created`, so a failure older than it, arriving late, changes nothing.
   */
  payoutFailureId: text("payout_failure_id"),
  payoutFailureCode: text("payout_failure_code"),
  payoutFailureMessage: text("payout_failure_message"),
  payoutFailureCreated: integer("payout_failure_created"),
  lastPaidPayoutCreated: integer("last_paid_payout_created"),
  /** When the author disconnected Plaza from the account (`account.application.deauthorized`); null while connected. */
  deauthorizedAt: integer("deauthorized_at"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});
