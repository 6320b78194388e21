import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * Append-only money ledger. `account` is an org id (the author's share) or `platform`. An entry is
 * keyed by what caused it (`reference`, e.g. `sale:ord_…`, `refund:re_…`), so replays add nothing.
 * Balances and revenue are sums over it; nothing ever updates or deletes a row.
 */
export const ledgerEntries = sqliteTable(
  "ledger_entries",
  {
    id: text("id").primaryKey(),
    account: text("account").notNull(),
    type: text("type", { enum: ["sale", "tax", "platform_fee", "refund", "fee_refund", "payout", "dispute", "dispute_fee"] }).notNull(),
    /** Signed minor units: positive credits the account. */
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    orderId: text("order_id"),
    reference: text("reference").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("ledger_reference_idx").on(t.reference, t.account, t.type), index("ledger_account_idx").on(t.account, t.createdAt)],
);
