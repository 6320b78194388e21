/**
 * The gates every route passes through, answered from the principal `authenticate()` loaded with
 * the credential: signed in (with a scope), a session rather than an API token, a role in an org,
 * a platform operator.
 */
import { createMiddleware } from "hono/factory";
import { type Role, roleAtLeast, type TokenScope } from "../../../shared/roles";
import type { AppEnv } from "../env";
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

/** What anyone who is not an operator gets from an operator route: the answer of a path that does not exist. */
const noSuchRoute = (method: string, path: string) => new AppError("not_found", `No route for ${method} ${path}`);

/**
 * The gate for every operator route. The flag comes from the user row loaded with the credential
 * on this request (never from a token's claims), so taking operator rights away takes effect at once.
 * Anyone else, anonymous too, gets 404: outsiders do not learn the console exists.
 */
export function requireOperator(principal: Principal | undefined, scope: TokenScope = "catalog:write"): Principal {
  if (!principal?.user.isOperator) throw new AppError("not_found", "Not found");
  return requirePrincipal(principal, scope);
}

/**
 * The same gate for every path under /v1/operator/, before validation and idempotency run: a
 * non-operator's malformed request or wrong method answers 404 too, not 400 or 405.
 */
export const operatorsOnly = () =>
  createMiddleware<AppEnv>(async function operatorsOnly(c, next) {
    if (!c.get("principal")?.user.isOperator) throw noSuchRoute(c.req.method, c.req.path);
    await next();
  });
