import type { TokenScope } from "../../../shared/roles";
import { requirePrincipal } from "../auth/authenticate";
import type { Principal } from "../auth/principal";
import { AppError } from "../http/errors";

/**
 * The gate for every operator route. The flag comes from the user row loaded with the credential
 * on this request (never from a token's claims), so taking operator rights away takes effect at once.
 */
export function requireOperator(principal: Principal | undefined, scope: TokenScope = "catalog:write"): Principal {
  const p = requirePrincipal(principal, scope);
  if (!p.user.isOperator) throw new AppError("forbidden", "This needs a platform operator");
  return p;
}
