/**
 * Projects: an org's collaborative documents with settings (`state`), installed items and assets.
 * The live document is in the project's room; snapshots are in snapshots.ts.
 */
import { and, eq, sql } from "drizzle-orm";
import type { z } from "zod";
import {
  type CreateProjectBody,
  type InstalledItem,
  type ProjectRoleT,
  type ProjectT,
  projectEtag,
  type UpdateProjectBody,
} from "../../../shared/projects";
import { roleAtLeast } from "../../../shared/roles";
import { auditInsert, auditInsertIf } from "../audit";
import { findItemBySlug, itemRefsById } from "../catalog";
import type { Ctx } from "../context";
import { newId } from "../crypto/random";
import type { Db } from "../db/client";
import { afterCursor, newestFirst, pageOf } from "../db/keyset";
import { holdsActiveEntitlement } from "../entitlements";
import type { OrgAccess } from "../http/access";
import { entityTags, ifMatchAccepts } from "../http/entity-tags";
import { AppError, forbidden, notFound } from "../http/errors";
import { discardMedia } from "../media";
import { type ProjectAccess, type ProjectRow, projectRoleFor } from "./access";
import { deleteProjectAssets, deleteProjectObjects, listAssets } from "./assets";
import { versionToInstall } from "./installed-versions";
import { projectItems, projects } from "./tables";

const summary = (row: ProjectRow, role: ProjectRoleT) => ({
  id: row.id,
  orgId: row.orgId,
  name: row.name,
  memberRole: row.memberRole,
  channel: row.channel,
  version: row.version,
  role,
  createdBy: row.createdBy,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

export async function listProjects(ctx: Ctx, { access, limit, cursor }: { access: OrgAccess; limit: number; cursor?: string }) {
  const rows = await ctx.db
    .select()
    .from(projects)
    .where(and(eq(projects.orgId, access.orgId), afterCursor(projects, cursor)))
    .orderBy(...newestFirst(projects))
    .limit(limit + 1);
  const { page, nextCursor } = pageOf(rows, limit, (row) => row);
  return { projects: page.map((row) => summary(row, projectRoleFor(access.role, row.memberRole))), nextCursor };
}

export async function createProject(ctx: Ctx, { access, input }: { access: OrgAccess; input: z.infer<typeof CreateProjectBody> }) {
  const now = Date.now();
  const row: ProjectRow = {
    id: newId("project"),
    orgId: access.orgId,
    name: input.name,
    memberRole: input.memberRole,
    channel: input.channel,
    state: {},
    version: 1,
    createdBy: access.principal.userId,
    createdAt: now,
    updatedAt: now,
  };
  await ctx.db.batch([
    ctx.db.insert(projects).values(row),
    auditInsert(ctx, {
      action: "project.created",
      orgId: access.orgId,
      actorUserId: row.createdBy,
      targetType: "project",
      targetId: row.id,
      metadata: { name: row.name, memberRole: row.memberRole, channel: row.channel },
    }),
  ]);
  return getProject(ctx, { ...access, project: row, projectRole: projectRoleFor(access.role, row.memberRole) });
}

async function installedItems(db: Db, projectId: string): Promise<z.infer<typeof InstalledItem>[]> {
  const rows = await db
    .select({
      itemId: projectItems.itemId,
      installedBy: projectItems.installedBy,
      installedAt: projectItems.installedAt,
      version: projectItems.version,
      // The installer's entitlement, not the viewer's: whoever installed it must still hold it.
      active: holdsActiveEntitlement(projectItems.itemId, projectItems.installedBy, Date.now()),
    })
    .from(projectItems)
    .where(eq(projectItems.projectId, projectId))
    .orderBy(projectItems.installedAt);
  const refs = await itemRefsById(
    db,
    rows.map((r) => r.itemId),
  );
  return rows.flatMap((r) => {
    const ref = refs.get(r.itemId);
    return ref
      ? [
          {
            itemId: r.itemId,
            slug: ref.slug,
            name: ref.name,
            installedBy: r.installedBy,
            installedAt: r.installedAt,
            version: r.version,
            active: Boolean(r.active),
          },
        ]
      : [];
  });
}

export async function getProject(ctx: Ctx, access: ProjectAccess): Promise<ProjectT> {
  const [itemRows, assets] = await Promise.all([installedItems(ctx.db, access.project.id), listAssets(ctx.db, access.project.id)]);
  return { ...summary(access.project, access.projectRole), state: access.project.state, items: itemRows, assets };
}

/** A stale If-Match: the answer says the version the project is at now (and its ETag). */
const staleVersion = (version: number) =>
  new AppError(
    "precondition_failed",
    `The project changed meanwhile: it is at version ${version} now. Read it again and merge your change`,
    {
      headers: { etag: projectEtag(version) },
    },
  );

/**
 * Name and state need the write role (checked by the route); memberRole needs admin, since it
 * decides what members may do. Made read-only, it says so (`project.access_changed`) before it answers.
 * With `ifMatch` (the request's If-Match) it applies only to the version named there (`*`: any):
 * the UPDATE's WHERE checks the version too, so of two PATCHes sent with the same one only the
 * first applies, and the other, like any stale one, is 412 and changes nothing.
 */
export async function updateProject(
  ctx: Ctx,
  { access, input, ifMatch }: { access: ProjectAccess; input: z.infer<typeof UpdateProjectBody>; ifMatch?: string },
) {
  if (input.memberRole !== undefined && !roleAtLeast(access.role, "admin"))
    throw forbidden("Only admins and owners change a project's memberRole");
  const { version } = access.project;
  if (ifMatch !== undefined && !ifMatchAccepts(ifMatch, projectEtag(version))) throw staleVersion(version);
  const versionGuard = ifMatch === undefined || entityTags(ifMatch).includes("*") ? undefined : eq(projects.version, version);
  const [updated] = await ctx.db.batch([
    ctx.db
      .update(projects)
      // The four fields a PATCH sets (name, memberRole, channel, state) are what the version counts:
      // items, assets and snapshots have rows and routes of their own and leave it alone.
      .set({ ...input, version: sql`${projects.version} + 1`, updatedAt: Date.now() })
      .where(and(eq(projects.id, access.project.id), eq(projects.orgId, access.orgId), versionGuard))
      .returning(),
    // Only if the UPDATE changed the row: a refused (412) or vanished one records nothing.
    auditInsertIf(
      ctx,
      {
        action: "project.updated",
        orgId: access.orgId,
        actorUserId: access.principal.userId,
        targetType: "project",
        targetId: access.project.id,
        metadata: { fields: Object.keys(input) },
      },
      sql`changes() > 0`,
    ),
  ]);
  const row = updated[0];
  if (!row) {
    const [now] = versionGuard
      ? await ctx.db.select({ version: projects.version }).from(projects).where(eq(projects.id, access.project.id))
      : [];
    throw now ? staleVersion(now.version) : notFound("Project");
  }
  if (access.project.memberRole === "write" && row.memberRole === "read")
    await ctx.events.emit("project.access_changed", { projectId: row.id, orgId: access.orgId, kind: "read_only" });
  return getProject(ctx, { ...access, project: row, projectRole: projectRoleFor(access.role, row.memberRole) });
}

/**
 * Deletes the project with its rows (ON DELETE CASCADE) and what `project.deleted` handlers must
 * commit with it (the room's teardown owed), then its assets' media (rows, bytes, variants) and its
 * other R2 objects (large snapshots), and says it is gone (`project.access_changed`: its room
 * closes) before it answers. The asset rows are deleted in the same batch, which answers their keys.
 */
export async function deleteProject(ctx: Ctx, access: ProjectAccess) {
  const gone = { projectId: access.project.id, orgId: access.orgId };
  const withDeletion = await ctx.events.emit("project.deleted", gone);
  const [assets] = await ctx.db.batch([
    deleteProjectAssets(ctx.db, access.project.id),
    ctx.db.delete(projects).where(and(eq(projects.id, access.project.id), eq(projects.orgId, access.orgId))),
    ...withDeletion,
    auditInsert(ctx, {
      action: "project.deleted",
      orgId: access.orgId,
      actorUserId: access.principal.userId,
      targetType: "project",
      targetId: access.project.id,
      metadata: { name: access.project.name },
    }),
  ]);
  await discardMedia(
    ctx,
    assets.map((a) => a.r2Key),
  );
  await Promise.all([
    deleteProjectObjects(ctx.env, access.project.id),
    ctx.events.emit("project.access_changed", { ...gone, kind: "deleted" }),
  ]);
}

/**
 * Installs an item (by slug) into the project at `version`, or at the newest installable version
 * on the project's channel; installing an installed item again moves it to that version (the
 * Update action). The caller must hold an active entitlement to it; installing again makes the
 * caller the installer, so `active` follows a live entitlement.
 */
export async function installItem(ctx: Ctx, { access, slug, version }: { access: ProjectAccess; slug: string; version?: string }) {
  const item = await findItemBySlug(ctx.db, slug);
  if (!item) throw notFound("Item");
  const now = Date.now();
  const userId = access.principal.userId;
  const has = await ctx.db.get<{ ok: number }>(sql`SELECT ${holdsActiveEntitlement(item.id, userId, now)} AS ok`);
  if (!has?.ok)
    throw new AppError("entitlement_required", `Installing ${item.slug} needs an active entitlement to it: get or buy it first`);
  const installing = await versionToInstall(ctx.db, { itemId: item.id, channel: access.project.channel, wanted: version });
  const [previous] = await ctx.db
    .select({ version: projectItems.version })
    .from(projectItems)
    .where(and(eq(projectItems.projectId, access.project.id), eq(projectItems.itemId, item.id)));
  const set = { installedBy: userId, installedAt: now, version: installing };
  await ctx.db.batch([
    ctx.db
      .insert(projectItems)
      .values({ projectId: access.project.id, itemId: item.id, orgId: access.orgId, ...set })
      .onConflictDoUpdate({ target: [projectItems.projectId, projectItems.itemId], set }),
    auditInsert(ctx, {
      action: "project.item_installed",
      orgId: access.orgId,
      actorUserId: userId,
      targetType: "project",
      targetId: access.project.id,
      metadata: { itemId: item.id, slug: item.slug, version: installing, ...(previous && { previousVersion: previous.version }) },
    }),
  ]);
  return { itemId: item.id, slug: item.slug, name: item.name, installedBy: userId, installedAt: now, version: installing, active: true };
}

export async function removeItem(ctx: Ctx, { access, slug }: { access: ProjectAccess; slug: string }) {
  const item = await findItemBySlug(ctx.db, slug);
  const installed = item
    ? await ctx.db
        .select({ itemId: projectItems.itemId })
        .from(projectItems)
        .where(and(eq(projectItems.projectId, access.project.id), eq(projectItems.itemId, item.id)))
    : [];
  const itemId = installed[0]?.itemId;
  if (!itemId) throw notFound("Installed item");
  await ctx.db.batch([
    ctx.db.delete(projectItems).where(and(eq(projectItems.projectId, access.project.id), eq(projectItems.itemId, itemId))),
    auditInsert(ctx, {
      action: "project.item_removed",
      orgId: access.orgId,
      actorUserId: access.principal.userId,
      targetType: "project",
      targetId: access.project.id,
      metadata: { itemId, slug },
    }),
  ]);
}
