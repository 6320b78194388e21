/** What orgs announces (context.ts `DomainEvents`); other modules react without orgs knowing them. */
declare module "../context" {
  interface DomainEvents {
    /**
     * Members removed from the org (or who left), or made plain members (their project roles may
     * fall): announced after the batch that changed them.
     */
    "org.access_changed": { orgId: string; userIds: string[]; kind: "removed" | "demoted" };
  }
}

export {};
