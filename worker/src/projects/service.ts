/**
 * Projects: an org's collaborative documents with settings (`state`), installed items and assets.
 * The live document is in the project's room; snapshots are in snapshots.ts.
 */
import { and, eq, sql } from "drizzle-orm";
import type { z } from "zod";
import type { CreateProjectBody, InstalledItem, ProjectRoleT, ProjectT, UpdateProjectBody } from "../../../shared/projects";
import { roleAtLeast } from "../../../shared/roles";
import { auditInsert } from "../audit";
import type { RequestMeta } from "../context";
import { newId } from "../crypto/random";
import type { Db } from "../db/client";
import { afterCursor, newestFirst, pageOf } from "../db/keyset";
import { items, projectItems, projects } from "../db/schema";
import type { Env } from "../env";
import type { OrgAccess } from "../http/access";
import { AppError, forbidden, notFound } from "../http/errors";
import { disconnectFromRooms } from "../rooms/access-changes";
import { tearDownRooms, teardownOwed } from "../rooms/teardown";
import { type ProjectAccess, type ProjectRow, projectRoleFor } from "./access";
import { deleteProjectObjects, listAssets } from "./assets";

const summary = (row: ProjectRow, role: ProjectRoleT) => ({
  id: row.id,
  orgId: row.orgId,
  name: row.name,
  memberRole: row.memberRole,
  role,
  createdBy: row.createdBy,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

export async function listProjects(db: Db, access: OrgAccess, limit: number, cursor?: string) {
  const rows = await db
    .select()
    .from(projects)
    .where(and(eq(projects.orgId, access.orgId), afterCursor(projects, cursor)))
    .orderBy(...newestFirst(projects))
    .limit(limit + 1);
  const { page, nextCursor } = pageOf(rows, limit, (row) => row);
  return { projects: page.map((row) => summary(row, projectRoleFor(access.role, row.memberRole))), nextCursor };
}

export async function createProject(db: Db, meta: RequestMeta, access: OrgAccess, input: z.infer<typeof CreateProjectBody>) {
  const now = Date.now();
  const row: ProjectRow = {
    id: newId("project"),
    orgId: access.orgId,
    name: input.name,
    memberRole: input.memberRole,
    state: {},
    createdBy: access.principal.userId,
    createdAt: now,
    updatedAt: now,
  };
  await db.batch([
    db.insert(projects).values(row),
    auditInsert(
      { db, meta },
      {
        action: "project.created",
        orgId: access.orgId,
        actorUserId: row.createdBy,
        targetType: "project",
        targetId: row.id,
        metadata: { name: row.name, memberRole: row.memberRole },
      },
    ),
  ]);
  return getProject(db, { ...access, project: row, projectRole: projectRoleFor(access.role, row.memberRole) });
}

/** SQL: the installer's entitlement to the item (any source) is active and unexpired at `now`. */
const installerEntitled = (now: number) =>
  sql<number>`EXISTS (SELECT 1 FROM entitlements e WHERE e.item_id = ${projectItems.itemId} AND e.user_id = ${projectItems.installedBy}
    AND e.status = 'active' AND (e.expires_at IS NULL OR e.expires_at > ${now}))`;

async function installedItems(db: Db, projectId: string): Promise<z.infer<typeof InstalledItem>[]> {
  const rows = await db
    .select({
      itemId: projectItems.itemId,
      slug: items.slug,
      name: items.name,
      installedBy: projectItems.installedBy,
      installedAt: projectItems.installedAt,
      active: installerEntitled(Date.now()),
    })
    .from(projectItems)
    .innerJoin(items, eq(items.id, projectItems.itemId))
    .where(eq(projectItems.projectId, projectId))
    .orderBy(projectItems.installedAt);
  return rows.map((r) => ({ ...r, active: Boolean(r.active) }));
}

export async function getProject(db: Db, access: ProjectAccess): Promise<ProjectT> {
  const [itemRows, assets] = await Promise.all([installedItems(db, access.project.id), listAssets(db, access.project.id)]);
  return { ...summary(access.project, access.projectRole), state: access.project.state, items: itemRows, assets };
}

/**
 * Name and state need the write role (checked by the route); memberRole needs admin, since it
 * decides what members may do. Made read-only, the members writing in its room are disconnected.
 */
export async function updateProject(db: Db, env: Env, meta: RequestMeta, access: ProjectAccess, input: z.infer<typeof UpdateProjectBody>) {
  if (input.memberRole !== undefined && !roleAtLeast(access.role, "admin"))
    throw forbidden("Only admins and owners change a project's memberRole");
  const [updated] = await db.batch([
    db
      .update(projects)
      .set({ ...input, updatedAt: Date.now() })
      .where(and(eq(projects.id, access.project.id), eq(projects.orgId, access.orgId)))
      .returning(),
    auditInsert(
      { db, meta },
      {
        action: "project.updated",
        orgId: access.orgId,
        actorUserId: access.principal.userId,
        targetType: "project",
        targetId: access.project.id,
        metadata: { fields: Object.keys(input) },
      },
    ),
  ]);
  const row = updated[0];
  if (!row) throw notFound("Project");
  if (access.project.memberRole === "write" && row.memberRole === "read")
    await disconnectFromRooms(env, db, { orgId: access.orgId, projectId: row.id, plainMembers: true });
  return getProject(db, { ...access, project: row, projectRole: projectRoleFor(access.role, row.memberRole) });
}

/**
 * Deletes the project with its rows (ON DELETE CASCADE), then its R2 objects (assets, large
 * snapshots) and its room (every socket closed, storage deleted; owed until the room confirms).
 */
export async function deleteProject(db: Db, env: Env, meta: RequestMeta, access: ProjectAccess) {
  await db.batch([
    db.delete(projects).where(and(eq(projects.id, access.project.id), eq(projects.orgId, access.orgId))),
    teardownOwed(db, access.project),
    auditInsert(
      { db, meta },
      {
        action: "project.deleted",
        orgId: access.orgId,
        actorUserId: access.principal.userId,
        targetType: "project",
        targetId: access.project.id,
        metadata: { name: access.project.name },
      },
    ),
  ]);
  await Promise.all([deleteProjectObjects(env, access.project.id), tearDownRooms(env, db, [access.project.id])]);
}

/**
 * Installs an item (by slug) into the project. The caller must hold an active entitlement to it;
 * installing again makes the caller the installer, so `active` follows a live entitlement.
 */
export async function installItem(db: Db, meta: RequestMeta, access: ProjectAccess, slug: string) {
  const item = await db.query.items.findFirst({ where: eq(items.slug, slug), columns: { id: true, slug: true, name: true } });
  if (!item) throw notFound("Item");
  const now = Date.now();
  const userId = access.principal.userId;
  const entitled = sql`EXISTS (SELECT 1 FROM entitlements e WHERE e.item_id = ${item.id} AND e.user_id = ${userId}
    AND e.status = 'active' AND (e.expires_at IS NULL OR e.expires_at > ${now}))`;
  const has = await db.get<{ ok: number }>(sql`SELECT ${entitled} AS ok`);
  if (!has?.ok)
    throw new AppError("entitlement_required", `Installing ${item.slug} needs an active entitlement to it: get or buy it first`);
  await db.batch([
    db
      .insert(projectItems)
      .values({ projectId: access.project.id, itemId: item.id, orgId: access.orgId, installedBy: userId, installedAt: now })
      .onConflictDoUpdate({ target: [projectItems.projectId, projectItems.itemId], set: { installedBy: userId, installedAt: now } }),
    auditInsert(
      { db, meta },
      {
        action: "project.item_installed",
        orgId: access.orgId,
        actorUserId: userId,
        targetType: "project",
        targetId: access.project.id,
        metadata: { itemId: item.id, slug: item.slug },
      },
    ),
  ]);
  return { itemId: item.id, slug: item.slug, name: item.name, installedBy: userId, installedAt: now, active: true };
}

export async function removeItem(db: Db, meta: RequestMeta, access: ProjectAccess, slug: string) {
  const installed = await db
    .select({ itemId: projectItems.itemId })
    .from(projectItems)
    .innerJoin(items, eq(items.id, projectItems.itemId))
    .where(and(eq(projectItems.projectId, access.project.id), eq(items.slug, slug)));
  const itemId = installed[0]?.itemId;
  if (!itemId) throw notFound("Installed item");
  await db.batch([
    db.delete(projectItems).where(and(eq(projectItems.projectId, access.project.id), eq(projectItems.itemId, itemId))),
    auditInsert(
      { db, meta },
      {
        action: "project.item_removed",
        orgId: access.orgId,
        actorUserId: access.principal.userId,
        targetType: "project",
        targetId: access.project.id,
        metadata: { itemId, slug },
      },
    ),
  ]);
}
