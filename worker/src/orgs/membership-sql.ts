import { type SQL, type SQLWrapper, sql } from "drizzle-orm";
import type { Role } from "../../../shared/roles";
import { subquery } from "../db/subquery";
import { memberships } from "./tables";

/**
 * SQL: the user's role in the org now, NULL when they are not a member. A scalar subquery, for
 * statements that must decide on the membership as it is when they run (room admissions).
 */
export const memberRoleSql = (orgId: SQLWrapper | string, userId: SQLWrapper | string): SQL<Role | null> =>
  subquery<Role | null>(
    sql`(SELECT ${memberships.role} FROM ${memberships} WHERE ${memberships.orgId} = ${orgId} AND ${memberships.userId} = ${userId})`,
  );
