/** What catalog announces (context.ts `DomainEvents`); other modules react without catalog knowing them. */
declare module "../context" {
  interface DomainEvents {
    /**
     * What the public sees of an org's items changed (an edit, a version, an image, a review, a
     * moderation), announced after the batch that changed it: pages showing them are purged.
     * Items are named by id or, where only that is known, by slug.
     */
    "catalog.changed": { orgId: string; itemIds?: string[]; slugs?: string[] };
  }
}

export {};
