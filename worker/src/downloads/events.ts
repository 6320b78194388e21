/** What downloads announces (context.ts `DomainEvents`); other modules react without downloads knowing them. */
declare module "../context" {
  interface DomainEvents {
    /**
     * Counted downloads of an item, made at the times `at` (one per UTC day at least), were just added
     * to its total by the tally job (tally.ts): handlers' statements run in that batch, after the total's.
     */
    "downloads.counted": { orgId: string; itemId: string; at: number[]; now: number };
  }
}

export {};
