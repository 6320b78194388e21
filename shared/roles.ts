/** Org roles, weakest first: a role may do everything the roles before it may. */
export const ROLES = ["member", "admin", "owner"] as const;
export type Role = (typeof ROLES)[number];

export function roleAtLeast(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

/**
 * Scopes a personal API token may carry. A browser session holds every scope; a token holds only
 * those it was created with. Managing tokens and sessions is never possible with a token.
 */
export const TOKEN_SCOPES = [
  "profile:read",
  "orgs:read",
  "orgs:write",
  "members:write",
  "audit:read",
  "catalog:read",
  "catalog:write",
  "payments:read",
  "payments:write",
  "webhooks:read",
  "webhooks:write",
] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];
