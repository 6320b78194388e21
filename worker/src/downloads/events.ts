/** What downloads announces (context.ts `DomainEvents`); other modules react without downloads knowing them. */
declare module "../context" {
  interface DomainEvents {
    /** A download is being recorded (if the link still allows it): handlers' statements run in that batch, after the row. */
    "download.recorded": { orgId: string; itemId: string; now: number };
  }
}

export {};
