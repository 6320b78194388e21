/** An org's ledger entries, newest first: the Earnings page's pages and the accountant's CSV. */
import { and, eq } from "drizzle-orm";
import { amountText } from "../../../shared/money";
import type { Ctx } from "../context";
import { afterCursor, newestFirst, pageOf } from "../db/keyset";
import type { CsvCell } from "../http/csv";
import { ledgerEntries } from "./tables";

const CSV_PAGE_SIZE = 500;

const entryColumns = {
  id: ledgerEntries.id,
  type: ledgerEntries.type,
  amount: ledgerEntries.amount,
  currency: ledgerEntries.currency,
  orderId: ledgerEntries.orderId,
  reference: ledgerEntries.reference,
  createdAt: ledgerEntries.createdAt,
};

async function readPage({ db }: Ctx, orgId: string, limit: number, cursor?: string) {
  const rows = await db
    .select(entryColumns)
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.account, orgId), afterCursor(ledgerEntries, cursor)))
    .orderBy(...newestFirst(ledgerEntries))
    .limit(limit + 1);
  return pageOf(rows, limit, (r) => r);
}

/** One page of the org's entries (as LedgerEntry) and the cursor to the next. */
export async function orgLedgerPage(ctx: Ctx, { orgId, limit, cursor }: { orgId: string; limit: number; cursor?: string }) {
  const { page, nextCursor } = await readPage(ctx, orgId, limit, cursor);
  return { data: page.map(({ reference: _, ...entry }) => entry), nextCursor };
}

export const LEDGER_CSV_HEADER = ["date", "type", "amount", "currency", "order_id", "reference"];

/** Every entry of the org as CSV rows, read a keyset page at a time (entries booked meanwhile do not shift the pages). */
export async function* orgLedgerCsvRows(ctx: Ctx, orgId: string): AsyncGenerator<CsvCell[][]> {
  let cursor: string | undefined;
  do {
    const { page, nextCursor } = await readPage(ctx, orgId, CSV_PAGE_SIZE, cursor);
    yield page.map((e) => [
      new Date(e.createdAt).toISOString(),
      e.type,
      amountText(e.amount, e.currency),
      e.currency.toUpperCase(),
      e.orderId,
      e.reference,
    ]);
    cursor = nextCursor ?? undefined;
  } while (cursor);
}
