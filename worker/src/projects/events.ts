/** What projects announces (context.ts `DomainEvents`); other modules react without projects knowing them. */
declare module "../context" {
  interface DomainEvents {
    /**
     * A project is about to be deleted: announced before the batch that deletes it, which also
     * carries what the handlers return (bookkeeping that must commit with the deletion).
     */
    "project.deleted": { projectId: string; orgId: string };
    /**
     * Who may do what in a project changed, announced after the batch that changed it: made
     * read-only for plain members, or deleted (nobody has access any more).
     */
    "project.access_changed": { projectId: string; orgId: string; kind: "read_only" | "deleted" };
  }
}

export {};
