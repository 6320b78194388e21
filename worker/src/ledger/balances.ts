import { desc, eq, sql } from "drizzle-orm";
import type { Ctx } from "../context";
import { PLATFORM_ACCOUNT } from "./entries";
import { ledgerEntries } from "./tables";

const sumOf = (type: string) => sql<number>`coalesce(sum(CASE WHEN ${ledgerEntries.type} = ${type} THEN ${ledgerEntries.amount} END), 0)`;

/** An author's balance per currency, derived from the ledger alone, with the latest entries. */
export async function orgEarnings({ db }: Ctx, orgId: string) {
  const [balances, recent] = await Promise.all([
    db
      .select({
        currency: ledgerEntries.currency,
        sales: sumOf("sale"),
        // Collected from buyers on top of sales, for the author to remit.
        tax: sumOf("tax"),
        platformFees: sql<number>`-(${sumOf("platform_fee")} + ${sumOf("fee_refund")})`,
        refunds: sql<number>`-${sumOf("refund")}`,
        payouts: sql<number>`-${sumOf("payout")}`,
        disputes: sql<number>`-(${sumOf("dispute")} + ${sumOf("dispute_fee")})`,
        balance: sql<number>`coalesce(sum(${ledgerEntries.amount}), 0)`,
      })
      .from(ledgerEntries)
      .where(eq(ledgerEntries.account, orgId))
      .groupBy(ledgerEntries.currency)
      .orderBy(ledgerEntries.currency),
    db
      .select({
        id: ledgerEntries.id,
        type: ledgerEntries.type,
        amount: ledgerEntries.amount,
        currency: ledgerEntries.currency,
        orderId: ledgerEntries.orderId,
        createdAt: ledgerEntries.createdAt,
      })
      .from(ledgerEntries)
      .where(eq(ledgerEntries.account, orgId))
      .orderBy(desc(ledgerEntries.createdAt), desc(ledgerEntries.id))
      .limit(50),
  ]);
  return { balances, recent };
}

/** The platform's revenue per currency: fees kept, net of fees returned with refunds. */
export async function platformRevenue({ db }: Ctx) {
  const revenue = await db
    .select({ currency: ledgerEntries.currency, amount: sql<number>`coalesce(sum(${ledgerEntries.amount}), 0)` })
    .from(ledgerEntries)
    .where(eq(ledgerEntries.account, PLATFORM_ACCOUNT))
    .groupBy(ledgerEntries.currency)
    .orderBy(ledgerEntries.currency);
  return { revenue };
}
