import { and, eq } from "drizzle-orm";
import { roleAtLeast, type Role, type TokenScope } from "../../../shared/roles";
import { requirePrincipal } from "../auth/authenticate";
import type { Principal } from "../auth/principal";
import type { Db } from "../db/client";
import { memberships } from "../db/schema";
import { AppError } from "../http/errors";

export interface OrgAccess {
  principal: Principal;
  orgId: string;
  role: Role;
}

/**
 * The one gate for org-owned data. A caller outside the org gets 404, as if the org did not
 * exist (tenants never learn of each other); a member below `minRole` gets 403.
 */
export async function requireOrgRole(
  db: Db,
  principal: Principal | undefined,
  orgId: string,
  minRole: Role,
  scope: TokenScope,
): Promise<OrgAccess> {
  const p = requirePrincipal(principal, scope);
  const membership = await db.query.memberships.findFirst({
    columns: { role: true },
    where: and(eq(memberships.orgId, orgId), eq(memberships.userId, p.userId)),
  });
  if (!membership) throw new AppError("not_found", "Org not found");
  if (!roleAtLeast(membership.role, minRole)) {
    throw new AppError("forbidden", `This needs the ${minRole} role in this org`);
  }
  return { principal: p, orgId, role: membership.role };
}
