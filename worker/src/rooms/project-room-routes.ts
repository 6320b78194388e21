/** The project routes that reach the live room (URLs under the project's, like its other routes). */
import { createRoute } from "@hono/zod-openapi";
import { RestoreResult, RoomTokenResponse, SnapshotSummary } from "../../../shared/projects";
import { requireSession } from "../http/access";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, ErrorSchema, json, notFoundError } from "../http/openapi-helpers";
import { ProjectParams, projectPath as path, requireProject, SnapshotParams } from "../projects";
import { issueRoomToken, restoreSnapshot, snapshotNow } from "./project-room";

const tags = ["Projects"];
const errors = { ...authErrors, ...notFoundError };
const roomsUnavailable = { 503: json(ErrorSchema, "The rooms server could not be reached (`rooms_unavailable`); safe to retry") };

export const projectRoomRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: path("/snapshots"),
      tags,
      summary: "Take a snapshot of the live document now (asks the project's room)",
      security: bearer,
      request: { params: ProjectParams },
      responses: { 201: json(SnapshotSummary, "Saved (reason `manual`)"), ...errors, ...roomsUnavailable },
    }),
    async (c) => {
      const { orgId, projectId } = c.req.valid("param");
      const access = await requireProject(c.var.ctx, { orgId, projectId, need: "write", scope: "orgs:write" });
      return c.json(await snapshotNow(c.var.ctx, access), 201);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: path("/snapshots/{snapshotId}/restore"),
      tags,
      summary: "Restore a snapshot: the room replaces its document with it and then saves a `restore` snapshot",
      security: bearer,
      request: { params: SnapshotParams },
      responses: { 200: json(RestoreResult, "The room took the snapshot's content"), ...errors, ...roomsUnavailable },
    }),
    async (c) => {
      const { orgId, projectId, snapshotId } = c.req.valid("param");
      const access = await requireProject(c.var.ctx, { orgId, projectId, need: "write", scope: "orgs:write" });
      return c.json(await restoreSnapshot(c.var.ctx, { access, snapshotId }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: path("/room-token"),
      tags,
      summary: "A room token (JWT, 5 minutes) to join the project's live room; logged-in sessions only",
      description:
        "`role` is `write` for owners and admins, and for members when the project's memberRole is `write`; else `read` (the room drops a reader's edits).",
      security: bearer,
      request: { params: ProjectParams },
      responses: { 200: json(RoomTokenResponse, "The token"), ...errors },
    }),
    async (c) => {
      const { orgId, projectId } = c.req.valid("param");
      // A personal API token is refused before the project is looked up.
      if (c.var.ctx.principal) requireSession(c.var.ctx.principal);
      const access = await requireProject(c.var.ctx, { orgId, projectId, need: "read", scope: "orgs:read" });
      return c.json(await issueRoomToken(c.var.ctx, access), 200);
    },
  );
