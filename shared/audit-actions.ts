/** Audit actions Plaza records. A string union so every writer and reader agrees on spelling. */
export const AUDIT_ACTIONS = [
  "user.signed_up",
  "user.email_verified",
  "auth.login",
  "auth.login_failed",
  "auth.logout",
  "auth.refresh_reuse_detected",
  "session.revoked",
  "token.created",
  "token.revoked",
  "org.created",
  "org.updated",
  "member.role_changed",
  "member.removed",
  "invite.created",
  "invite.revoked",
  "invite.accepted",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
