import type { MediaPurpose } from "../../../shared/media";

/** What media announces (context.ts `DomainEvents`); the domains that own the files react. */
declare module "../context" {
  interface DomainEvents {
    /** An image's variants were made: it is servable now, so pages that left it out until now can show it. */
    "media.ready": { orgId: string; key: string; purpose: MediaPurpose };
  }
}
