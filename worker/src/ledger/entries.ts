import { sql } from "drizzle-orm";
import { derivedId } from "../crypto/random";
import type { Db } from "../db/client";
import { ledgerEntries } from "./tables";

/** The ledger account of Plaza's own revenue; every other account is an org id. */
export const PLATFORM_ACCOUNT = "platform";

type EntryType = (typeof ledgerEntries.$inferInsert)["type"];

interface Entry {
  account: string;
  type: EntryType;
  amount: number;
  currency: string;
  orderId: string | null;
  reference: string;
}

/**
 * The inserts for append-only rows, ids derived from their references, so a replay inserts
 * nothing. Ids are computed first: query builders are thenables, so they are never awaited here.
 */
async function entryInserts(db: Db, entries: Entry[], now: number) {
  const ids = await Promise.all(entries.map((e) => derivedId("ledgerEntry", `${e.reference}|${e.account}|${e.type}`)));
  return entries.map((entry, i) =>
    db
      .insert(ledgerEntries)
      .values({ id: ids[i]!, ...entry, createdAt: now })
      .onConflictDoNothing(),
  );
}

/**
 * A sale credits the author the gross amount and moves the platform fee from author to platform.
 * Tax the buyer paid on top (`tax`, part of `amount`) is its own entry: the destination charge
 * carries it to the author, who remits it, so it is in their balance but not in their sales.
 */
export async function saleEntries(
  db: Db,
  sale: { orderId: string; orgId: string; amount: number; fee: number; currency: string; tax?: number },
  now = Date.now(),
) {
  const reference = `sale:${sale.orderId}`;
  const base = { currency: sale.currency, orderId: sale.orderId, reference };
  const tax = sale.tax ?? 0;
  return entryInserts(
    db,
    [
      { ...base, account: sale.orgId, type: "sale", amount: sale.amount - tax },
      ...(tax > 0 ? [{ ...base, account: sale.orgId, type: "tax" as const, amount: tax }] : []),
      { ...base, account: sale.orgId, type: "platform_fee", amount: -sale.fee },
      { ...base, account: PLATFORM_ACCOUNT, type: "platform_fee", amount: sale.fee },
    ],
    now,
  );
}

/**
 * A refund takes the refunded amount back from the author; the share of the platform fee Stripe
 * returned (`refund_application_fee`) goes back from platform to author.
 */
export async function refundEntries(
  db: Db,
  refund: { refundId: string; orderId: string; orgId: string; amount: number; feeRefund: number; currency: string },
  now = Date.now(),
) {
  const reference = `refund:${refund.refundId}`;
  const base = { currency: refund.currency, orderId: refund.orderId, reference };
  return entryInserts(
    db,
    [
      { ...base, account: refund.orgId, type: "refund", amount: -refund.amount },
      { ...base, account: refund.orgId, type: "fee_refund", amount: refund.feeRefund },
      { ...base, account: PLATFORM_ACCOUNT, type: "fee_refund", amount: -refund.feeRefund },
    ],
    now,
  );
}

/**
 * A refund Stripe reports failed or canceled: its entries and their counter-entries (reference
 * `refund_failed:re_…`), so the balance is as if it never happened whichever of `charge.refunded`
 * and the failure is processed first; the ledger stays append-only.
 */
export async function failedRefundEntries(
  db: Db,
  refund: { refundId: string; orderId: string; orgId: string; amount: number; feeRefund: number; currency: string },
  now = Date.now(),
) {
  const reference = `refund_failed:${refund.refundId}`;
  const base = { currency: refund.currency, orderId: refund.orderId, reference };
  return [
    ...(await refundEntries(db, refund, now)),
    ...(await entryInserts(
      db,
      [
        { ...base, account: refund.orgId, type: "refund", amount: refund.amount },
        { ...base, account: refund.orgId, type: "fee_refund", amount: -refund.feeRefund },
        { ...base, account: PLATFORM_ACCOUNT, type: "fee_refund", amount: refund.feeRefund },
      ],
      now,
    )),
  ];
}

/** SQL: what the ledger holds as refunded to the buyer of the order (its refunds less failed ones), when the statement runs. */
export const orderRefundedSql = (orgId: string, orderId: string) =>
  sql<number>`(SELECT coalesce(-sum(${ledgerEntries.amount}), 0) FROM ${ledgerEntries}
    WHERE ${ledgerEntries.orderId} = ${orderId} AND ${ledgerEntries.account} = ${orgId} AND ${ledgerEntries.type} = 'refund')`;

/**
 * A disputed payment, booked on the author's account from the dispute's balance transactions as
 * Stripe lists them (one per transaction: the amount and Stripe's dispute fee withdrawn, then, if
 * the dispute is won, both reinstated), so any event of the dispute books the same entries once.
 */
export async function disputeEntries(
  db: Db,
  dispute: { orderId: string; orgId: string; currency: string; transactions: { id: string; amount: number; fee: number }[] },
  now = Date.now(),
) {
  const entries = dispute.transactions.flatMap((t): Entry[] => {
    const base = { account: dispute.orgId, currency: dispute.currency, orderId: dispute.orderId, reference: `dispute:${t.id}` };
    return [
      { ...base, type: "dispute" as const, amount: t.amount },
      { ...base, type: "dispute_fee" as const, amount: -t.fee },
    ].filter((e) => e.amount !== 0);
  });
  return entryInserts(db, entries, now);
}

/** Money Stripe paid out to the author's bank leaves their Plaza balance. */
export async function payoutEntry(db: Db, payout: { payoutId: string; orgId: string; amount: number; currency: string }, now = Date.now()) {
  return entryInserts(
    db,
    [
      {
        account: payout.orgId,
        type: "payout",
        amount: -payout.amount,
        currency: payout.currency,
        orderId: null,
        reference: `payout:${payout.payoutId}`,
      },
    ],
    now,
  );
}
