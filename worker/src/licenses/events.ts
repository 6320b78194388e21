/** What licenses announces (context.ts `DomainEvents`); other modules react without licenses knowing them. */
declare module "../context" {
  interface DomainEvents {
    /** License keys of an item are being issued, revoked, restored or expired: handlers' statements run in that batch, after them. */
    "licenses.changed": { orgId: string; itemId: string; now: number };
  }
}

export {};
