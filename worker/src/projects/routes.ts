import { createRoute, z } from "@hono/zod-openapi";
import { OrgId } from "../../../shared/api";
import {
  AssetName,
  CreateProjectBody,
  InstalledItem,
  InstallItemBody,
  Project,
  ProjectAsset,
  ProjectItemSlug,
  ProjectList,
  ProjectsQuery,
  projectEtag,
  SnapshotDetail,
  SnapshotList,
  SnapshotsQuery,
  UpdateProjectBody,
} from "../../../shared/projects";
import { requireOrgRole } from "../http/access";
import { IfMatchHeader } from "../http/entity-tags";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, ErrorSchema, json, jsonBody, noContent, notFoundError } from "../http/openapi-helpers";
import { requireProject } from "./access";
import { deleteAsset, getAsset, putAsset } from "./assets";
import { ProjectParams, projectPath as path, SnapshotParams } from "./route-params";
import * as service from "./service";
import { inspect, listSnapshots } from "./snapshots";

const tags = ["Projects"];
const OrgParams = z.object({ orgId: OrgId });
const errors = { ...authErrors, ...notFoundError };
const error = (description: string) => json(ErrorSchema, description);
/** A project's ETag: its version, quoted (what a PATCH's If-Match names). */
const versionHeaders = z.object({
  etag: z.string().meta({ description: 'The project\'s version, quoted: `"<version>"`', example: '"3"' }),
});

/** Projects themselves and their installed items. */
const projectRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/orgs/{orgId}/projects",
      tags,
      summary: "The org's projects, newest first, with your role in each (`?limit=&cursor=`)",
      security: bearer,
      request: { params: OrgParams, query: ProjectsQuery },
      responses: { 200: json(ProjectList, "A page of projects"), ...errors },
    }),
    async (c) => {
      const access = requireOrgRole(c.get("principal"), c.req.valid("param").orgId, "member", "orgs:read");
      const { limit, cursor } = c.req.valid("query");
      return c.json(await service.listProjects(c.var.ctx, { access, limit, cursor }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/orgs/{orgId}/projects",
      tags,
      summary: "Create a project (any member); memberRole (default write) is what plain members may do in it",
      security: bearer,
      request: { params: OrgParams, ...jsonBody(CreateProjectBody) },
      responses: { 201: json(Project, "Created"), ...errors },
    }),
    async (c) => {
      const access = requireOrgRole(c.get("principal"), c.req.valid("param").orgId, "member", "orgs:write");
      return c.json(await service.createProject(c.var.ctx, { access, input: c.req.valid("json") }), 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: path(),
      tags,
      summary: "A project with its state, installed items, assets and your role",
      security: bearer,
      request: { params: ProjectParams },
      responses: { 200: { ...json(Project, "The project"), headers: versionHeaders }, ...errors },
    }),
    async (c) => {
      const { orgId, projectId } = c.req.valid("param");
      const access = await requireProject(c.var.ctx, { orgId, projectId, need: "read", scope: "orgs:read" });
      const project = await service.getProject(c.var.ctx, access);
      return c.json(project, 200, { etag: projectEtag(project.version) });
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: path(),
      tags,
      summary: "Rename, set the state (a JSON object, at most 64 KB), the update channel or memberRole (admins) of a project",
      description:
        'Each change moves the project\'s `version` (its ETag) on by one. With `If-Match: "<version>"` the change applies only to that version: a project changed meanwhile answers 412 `precondition_failed` (its ETag the version now) and nothing changes. Without it, the last write wins.',
      security: bearer,
      request: {
        params: ProjectParams,
        headers: z.object({
          "if-match": IfMatchHeader.optional().meta({
            description:
              'The ETag of the copy the change was made from (`"<version>"`), or `*`; a malformed value is 400 `invalid_request`',
          }),
        }),
        ...jsonBody(UpdateProjectBody),
      },
      responses: {
        200: { ...json(Project, "Updated"), headers: versionHeaders },
        ...errors,
        412: {
          ...error("`precondition_failed`: the project is no longer at the version `If-Match` names; nothing changed"),
          headers: versionHeaders,
        },
      },
    }),
    async (c) => {
      const { orgId, projectId } = c.req.valid("param");
      const access = await requireProject(c.var.ctx, { orgId, projectId, need: "write", scope: "orgs:write" });
      const ifMatch = c.req.valid("header")["if-match"];
      const project = await service.updateProject(c.var.ctx, { access, input: c.req.valid("json"), ifMatch });
      return c.json(project, 200, { etag: projectEtag(project.version) });
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: path(),
      tags,
      summary: "Delete a project with its snapshots, assets and live room (admins): its sockets close (4404), its room storage is deleted",
      security: bearer,
      request: { params: ProjectParams },
      responses: { ...noContent, ...errors },
    }),
    async (c) => {
      const { orgId, projectId } = c.req.valid("param");
      requireOrgRole(c.get("principal"), orgId, "admin", "orgs:write");
      const access = await requireProject(c.var.ctx, { orgId, projectId, need: "write", scope: "orgs:write" });
      await service.deleteProject(c.var.ctx, access);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: path("/items/{itemSlug}"),
      tags,
      summary:
        "Install an item, or move it to another version: `version`, else the newest installable one on the project's channel; you must hold an active entitlement to it (else 403 entitlement_required)",
      security: bearer,
      request: {
        params: ProjectParams.extend({ itemSlug: ProjectItemSlug }),
        // Optional: without a body, the newest installable version.
        body: { content: { "application/json": { schema: InstallItemBody } }, required: false },
      },
      responses: { 200: json(InstalledItem, "Installed (again: you become the installer)"), ...errors },
    }),
    async (c) => {
      const { orgId, projectId, itemSlug } = c.req.valid("param");
      const access = await requireProject(c.var.ctx, { orgId, projectId, need: "write", scope: "orgs:write" });
      const { version } = c.req.valid("json");
      return c.json(await service.installItem(c.var.ctx, { access, slug: itemSlug, version }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: path("/items/{itemSlug}"),
      tags,
      summary: "Remove an installed item",
      security: bearer,
      request: { params: ProjectParams.extend({ itemSlug: ProjectItemSlug }) },
      responses: { ...noContent, ...errors },
    }),
    async (c) => {
      const { orgId, projectId, itemSlug } = c.req.valid("param");
      const access = await requireProject(c.var.ctx, { orgId, projectId, need: "write", scope: "orgs:write" });
      await service.removeItem(c.var.ctx, { access, slug: itemSlug });
      return c.body(null, 204);
    },
  );

const AssetParams = ProjectParams.extend({ name: AssetName });

/** Assets: raw bytes in R2, streamed both ways. */
const assetRoutes = createRouter()
  .openapi(
    createRoute({
      method: "put",
      path: path("/assets/{name}"),
      tags,
      summary: "Upload (or replace) an asset: the raw body with its Content-Type and Content-Length, at most 25 MB",
      security: bearer,
      request: {
        params: AssetParams,
        body: { content: { "*/*": { schema: z.string().meta({ format: "binary" }) } }, required: true, description: "The bytes" },
      },
      responses: { 200: json(ProjectAsset, "Stored"), ...errors, 413: error("Over 25 MB (`payload_too_large`)") },
    }),
    async (c) => {
      const { orgId, projectId, name } = c.req.valid("param");
      const access = await requireProject(c.var.ctx, { orgId, projectId, need: "write", scope: "orgs:write" });
      const asset = await putAsset(c.var.ctx, {
        access,
        name,
        body: c.req.raw.body,
        contentType: c.req.header("content-type"),
        contentLength: c.req.header("content-length"),
      });
      return c.json(asset, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: path("/assets/{name}"),
      tags,
      summary: "Download an asset, with the Content-Type it was uploaded with, once it is ready",
      security: bearer,
      request: { params: AssetParams },
      responses: {
        200: { description: "The bytes", content: { "*/*": { schema: z.string().meta({ format: "binary" }) } } },
        ...errors,
        409: error("Still uploading or being processed (`media_not_ready`)"),
        422: error("Its processing failed (`media_failed`, the message says why)"),
      },
    }),
    async (c) => {
      const { orgId, projectId, name } = c.req.valid("param");
      const access = await requireProject(c.var.ctx, { orgId, projectId, need: "read", scope: "orgs:read" });
      const asset = await getAsset(c.var.ctx, { projectId: access.project.id, name });
      return new Response(asset.body, {
        headers: {
          "content-type": asset.contentType,
          "content-length": String(asset.size),
          etag: `"${asset.sha256}"`,
          // Uploaded bytes are never a page of this origin.
          "x-content-type-options": "nosniff",
          "content-security-policy": "default-src 'none'; sandbox",
          "cache-control": "private, no-cache",
        },
      });
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: path("/assets/{name}"),
      tags,
      summary: "Delete an asset",
      security: bearer,
      request: { params: AssetParams },
      responses: { ...noContent, ...errors },
    }),
    async (c) => {
      const { orgId, projectId, name } = c.req.valid("param");
      const access = await requireProject(c.var.ctx, { orgId, projectId, need: "write", scope: "orgs:write" });
      await deleteAsset(c.var.ctx, { projectId: access.project.id, name });
      return c.body(null, 204);
    },
  );

/** Snapshots stored here (taking one now and restoring one ask the live room: rooms/project-room-routes.ts). */
const snapshotRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: path("/snapshots"),
      tags,
      summary: "Snapshots, newest first (`?limit=&cursor=`)",
      security: bearer,
      request: { params: ProjectParams, query: SnapshotsQuery },
      responses: { 200: json(SnapshotList, "A page of snapshots"), ...errors },
    }),
    async (c) => {
      const { orgId, projectId } = c.req.valid("param");
      const { limit, cursor } = c.req.valid("query");
      const access = await requireProject(c.var.ctx, { orgId, projectId, need: "read", scope: "orgs:read" });
      return c.json(await listSnapshots(c.var.ctx, { projectId: access.project.id, limit, cursor }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: path("/snapshots/{snapshotId}"),
      tags,
      summary: "A snapshot with its document decoded: the `content` fragment as markup and as plain text",
      security: bearer,
      request: { params: SnapshotParams },
      responses: { 200: json(SnapshotDetail, "The snapshot"), ...errors, 422: error("Not a decodable Y.js document") },
    }),
    async (c) => {
      const { orgId, projectId, snapshotId } = c.req.valid("param");
      const access = await requireProject(c.var.ctx, { orgId, projectId, need: "read", scope: "orgs:read" });
      return c.json(await inspect(c.var.ctx, { projectId: access.project.id, snapshotId }), 200);
    },
  );

export const projectsApi = createRouter().route("/", projectRoutes).route("/", assetRoutes).route("/", snapshotRoutes);
