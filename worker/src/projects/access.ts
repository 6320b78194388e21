import { and, eq, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { ProjectRoleT } from "../../../shared/projects";
import type { Role, TokenScope } from "../../../shared/roles";
import type { Db } from "../db/client";
import { projects } from "../db/schema";
import { type OrgAccess, requireOrgRole } from "../http/access";
import { AppError, notFound } from "../http/errors";
import type { Principal } from "../http/principal";

export type ProjectRow = typeof projects.$inferSelect;

/** Admins and owners always write; members get what the project grants them. */
export const projectRoleFor = (orgRole: Role, memberRole: ProjectRoleT): ProjectRoleT => (orgRole === "member" ? memberRole : "write");

/** `projectRoleFor` as SQL over an org role and a memberRole column, for checks that must run inside a statement. */
export const projectRoleSql = (orgRole: SQL | SQLiteColumn, memberRole: SQL | SQLiteColumn): SQL<ProjectRoleT> =>
  sql<ProjectRoleT>`(CASE WHEN ${orgRole} = 'member' THEN ${memberRole} ELSE 'write' END)`;

/** The org access (with the caller's org `role`) plus the project and the caller's `projectRole` in it. */
export interface ProjectAccess extends OrgAccess {
  project: ProjectRow;
  projectRole: ProjectRoleT;
}

/**
 * The gate of every project route: the org gate first (outsiders get 404), then the project, looked
 * up within that org only (another org's project id is 404 too), then the caller's project role.
 */
export async function requireProject(
  db: Db,
  principal: Principal | undefined,
  orgId: string,
  projectId: string,
  need: ProjectRoleT,
  scope: TokenScope,
): Promise<ProjectAccess> {
  const access = requireOrgRole(principal, orgId, "member", scope);
  const project = await db.query.projects.findFirst({ where: and(eq(projects.id, projectId), eq(projects.orgId, access.orgId)) });
  if (!project) throw notFound("Project");
  const projectRole = projectRoleFor(access.role, project.memberRole);
  if (need === "write" && projectRole !== "write") throw new AppError("forbidden", "This project is read-only for members");
  return { ...access, project, projectRole };
}
