/** What auth announces (context.ts `DomainEvents`); other modules react without auth knowing them. */
declare module "../context" {
  interface DomainEvents {
    /**
     * Sessions ended (logout, revoked, a password change, a replayed refresh token), announced
     * after the batch that ended them: whatever they were admitted to closes.
     */
    "session.revoked": { userId: string; sessionIds: string[] };
  }
}

export {};
