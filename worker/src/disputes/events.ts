/** What disputes announces (context.ts `DomainEvents`); other modules react without disputes knowing them. */
declare module "../context" {
  interface DomainEvents {
    /**
     * A dispute's row and its ledger entries are being written: the statements handlers return run in
     * that batch, after them (the daily rollups recount the item's days: `openedAt` and `now`).
     */
    "dispute.recorded": { orgId: string; itemId: string | null; openedAt: number; now: number };
  }
}

export {};
