/**
 * What other domains may know of orgs and memberships: small named queries and SQL building
 * blocks for the statements that must read them in place (one round trip, or atomically).
 */
import { and, eq, inArray, type SQLWrapper, sql } from "drizzle-orm";
import { ROLES, type Role, roleAtLeast } from "../../../shared/roles";
import type { Db } from "../db/client";
import { subquery } from "../db/subquery";
import { memberships, orgs } from "./tables";

export type OrgRow = typeof orgs.$inferSelect;

export async function findOrg(db: Db, orgId: string): Promise<OrgRow | undefined> {
  const [org] = await db.select().from(orgs).where(eq(orgs.id, orgId)).limit(1);
  return org;
}

export async function findOrgBySlug(db: Db, slug: string): Promise<OrgRow | undefined> {
  const [org] = await db.select().from(orgs).where(eq(orgs.slug, slug)).limit(1);
  return org;
}

/** Several orgs by id in one query (a page names few orgs), keyed by id. */
export async function orgsByIds(db: Db, ids: readonly string[]): Promise<Map<string, OrgRow>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db.select().from(orgs).where(inArray(orgs.id, unique));
  return new Map(rows.map((o) => [o.id, o]));
}

/** SQL: the slug of the org `orgId` (a column or a value). */
export const orgSlugSql = (orgId: SQLWrapper | string) =>
  subquery<string>(sql`(SELECT ${orgs.slug} FROM ${orgs} WHERE ${orgs.id} = ${orgId})`);

/** SQL: the name of the org `orgId` (a column or a value). */
export const orgNameSql = (orgId: SQLWrapper | string) =>
  subquery<string>(sql`(SELECT ${orgs.name} FROM ${orgs} WHERE ${orgs.id} = ${orgId})`);

/** A subquery of the ids of the org's members who hold `role`, for `inArray`. */
export const membersWithRole = (db: Db, orgId: string, role: Role) =>
  db
    .select({ id: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.role, role)));

/** The ids of the org's members whose role is `minRole` or above (told of the org's events). */
export async function memberIdsAtLeast(db: Db, orgId: string, minRole: Role): Promise<string[]> {
  const roles = ROLES.filter((role) => roleAtLeast(role, minRole));
  const rows = await db
    .select({ id: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), inArray(memberships.role, roles)));
  return rows.map((r) => r.id);
}

/**
 * SQL: the user's memberships as a JSON array of `{ orgId, slug, name, role }`, orgs by name: what
 * a principal carries (`authenticate()` reads it with the credential).
 */
export const membershipsJsonSql = (userId: SQLWrapper) =>
  subquery<string>(sql`(SELECT json_group_array(json_object('orgId', m.org_id, 'slug', m.slug, 'name', m.name, 'role', m.role)) FROM (
     SELECT ${orgs.id} AS org_id, ${orgs.slug} AS slug, ${orgs.name} AS name, ${memberships.role} AS role
     FROM ${memberships} JOIN ${orgs} ON ${orgs.id} = ${memberships.orgId}
     WHERE ${memberships.userId} = ${userId} ORDER BY ${orgs.name}
   ) m)`);
