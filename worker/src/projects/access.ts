import { and, eq, isNotNull, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import type { ProjectRoleT } from "../../../shared/projects";
import type { Role, TokenScope } from "../../../shared/roles";
import type { Ctx } from "../context";
import type { Db } from "../db/client";
import { type OrgAccess, requireOrgRole } from "../http/access";
import { AppError, notFound } from "../http/errors";
import { memberRoleSql } from "../orgs";
import { projects } from "./tables";

export type ProjectRow = typeof projects.$inferSelect;

/** Admins and owners always write; members get what the project grants them. */
export const projectRoleFor = (orgRole: Role, memberRole: ProjectRoleT): ProjectRoleT => (orgRole === "member" ? memberRole : "write");

/** `projectRoleFor` as SQL over an org role and a memberRole column, for checks that must run inside a statement. */
const projectRoleSql = (orgRole: SQLWrapper, memberRole: SQLWrapper): SQL<ProjectRoleT> =>
  sql<ProjectRoleT>`(CASE WHEN ${orgRole} = 'member' THEN ${memberRole} ELSE 'write' END)`;

/**
 * The user's role in the project as it is when the statement runs: one row (project id, its org,
 * the role), none when the project is gone or the user is not a member of its org. A query to
 * build on (`.as(…)`), for statements that check access and record it at once (room admissions).
 */
export function projectRoleNow(db: Db, projectId: string, userId: string) {
  const orgRole = memberRoleSql(projects.orgId, userId);
  return db
    .select({ projectId: projects.id, orgId: projects.orgId, projectRole: projectRoleSql(orgRole, projects.memberRole).as("project_role") })
    .from(projects)
    .where(and(eq(projects.id, projectId), isNotNull(orgRole)));
}

/** A project's id and org, or undefined when there is no such project. */
export async function findProject(db: Db, projectId: string): Promise<Pick<ProjectRow, "id" | "orgId"> | undefined> {
  const [row] = await db.select({ id: projects.id, orgId: projects.orgId }).from(projects).where(eq(projects.id, projectId)).limit(1);
  return row;
}

/** The org access (with the caller's org `role`) plus the project and the caller's `projectRole` in it. */
export interface ProjectAccess extends OrgAccess {
  project: ProjectRow;
  projectRole: ProjectRoleT;
}

export interface ProjectGate {
  orgId: string;
  projectId: string;
  need: ProjectRoleT;
  scope: TokenScope;
}

/**
 * The gate of every project route: the org gate first (outsiders get 404), then the project, looked
 * up within that org only (another org's project id is 404 too), then the caller's project role.
 */
export async function requireProject(
  ctx: Pick<Ctx, "db" | "principal">,
  { orgId, projectId, need, scope }: ProjectGate,
): Promise<ProjectAccess> {
  const access = requireOrgRole(ctx.principal, orgId, "member", scope);
  const [project] = await ctx.db
    .select()
    .from(projects)
    .where(and(eq(projects.id, projectId), eq(projects.orgId, access.orgId)))
    .limit(1);
  if (!project) throw notFound("Project");
  const projectRole = projectRoleFor(access.role, project.memberRole);
  if (need === "write" && projectRole !== "write") throw new AppError("forbidden", "This project is read-only for members");
  return { ...access, project, projectRole };
}
