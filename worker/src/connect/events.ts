/** What connect announces (context.ts `DomainEvents`); other modules react without connect knowing them. */
declare module "../context" {
  interface DomainEvents {
    /** Whether the org's paid items can be bought changed (it disconnected Stripe or reconnected): pages showing them are purged. */
    "connect.sale_changed": { orgId: string };
  }
}

export {};
