/** What orgs announces (context.ts `DomainEvents`); other modules react without orgs knowing them. */
import type { Role } from "../../../shared/roles";

declare module "../context" {
  interface DomainEvents {
    /**
     * Members removed from the org (or who left), or made plain members (their project roles may
     * fall): announced after the batch that changed them.
     */
    "org.access_changed": { orgId: string; userIds: string[]; kind: "removed" | "demoted" };
    /** An address invited to the org (its invite link mail is in the same batch). */
    "org.invite_created": { orgId: string; orgName: string; inviteId: string; email: string; inviterName: string; role: Role; now: number };
  }
}
