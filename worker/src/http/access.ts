/**
 * The gates every route passes through, answered from the principal `authenticate()` loaded with
 * the credential: signed in (with a scope), a session rather than an API token, a role in an org,
 * a platform operator.
 */
import { type Role, roleAtLeast, type TokenScope } from "../../../shared/roles";
import { AppError } from "./errors";
import type { Principal } from "./principal";

/** Throws 401 without a principal, 403 `insufficient_scope` when its token lacks `scope`. */
export function requirePrincipal(principal: Principal | undefined, scope?: TokenScope): Principal {
  if (!principal) throw new AppError("unauthenticated", "Log in or send an API token");
  if (scope && !principal.scopes.includes(scope)) {
    throw new AppError("insufficient_scope", `This token lacks the \`${scope}\` scope`);
  }
  return principal;
}

/** Session-only actions (managing tokens and sessions): an API token can never do these. */
export function requireSession(principal: Principal | undefined) {
  const p = requirePrincipal(principal);
  if (p.kind !== "session") throw new AppError("forbidden", "This action needs a logged-in session, not an API token");
  return p;
}

export interface OrgAccess {
  principal: Principal;
  orgId: string;
  role: Role;
}

/**
 * The one gate for org-owned data, answered from the memberships `authenticate` loaded with the
 * credential. A caller outside the org gets 404, as if the org did not exist (tenants never
 * learn of each other); a member below `minRole` gets 403.
 */
export function requireOrgRole(principal: Principal | undefined, orgId: string, minRole: Role, scope: TokenScope): OrgAccess {
  const p = requirePrincipal(principal, scope);
  const membership = p.memberships.find((m) => m.orgId === orgId);
  if (!membership) throw new AppError("not_found", "Org not found");
  if (!roleAtLeast(membership.role, minRole)) {
    throw new AppError("forbidden", `This needs the ${minRole} role in this org`);
  }
  return { principal: p, orgId, role: membership.role };
}

/**
 * The gate for every operator route. The flag comes from the user row loaded with the credential
 * on this request (never from a token's claims), so taking operator rights away takes effect at once.
 */
export function requireOperator(principal: Principal | undefined, scope: TokenScope = "catalog:write"): Principal {
  const p = requirePrincipal(principal, scope);
  if (!p.user.isOperator) throw new AppError("forbidden", "This needs a platform operator");
  return p;
}
