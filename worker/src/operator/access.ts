import { eq } from "drizzle-orm";
import type { TokenScope } from "../../../shared/roles";
import { requirePrincipal } from "../auth/authenticate";
import type { Principal } from "../auth/principal";
import type { Db } from "../db/client";
import { users } from "../db/schema";
import { AppError } from "../http/errors";

/**
 * The gate for every operator route. The flag is read from D1 on each call (not cached in the
 * token), so taking operator rights away takes effect at once.
 */
export async function requireOperator(db: Db, principal: Principal | undefined, scope: TokenScope = "catalog:write"): Promise<Principal> {
  const p = requirePrincipal(principal, scope);
  const user = await db.query.users.findFirst({ columns: { isOperator: true }, where: eq(users.id, p.userId) });
  if (!user?.isOperator) throw new AppError("forbidden", "This needs a platform operator");
  return p;
}
