import { type Role, roleAtLeast, type TokenScope } from "../../../shared/roles";
import { requirePrincipal } from "../auth/authenticate";
import type { Principal } from "../auth/principal";
import { AppError } from "../http/errors";

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
