/** What billing announces (context.ts `DomainEvents`); other modules react without billing knowing them. */
declare module "../context" {
  interface DomainEvents {
    /**
     * A subscription's mirror is being written (created, renewed, canceled, its plan changed): handlers'
     * statements run in that batch, after the row. `at`: the times whose days the change touched (its
     * creation, its previous and its new last change).
     */
    "subscription.synced": { orgId: string; itemId: string; at: number[] };
  }
}

export {};
