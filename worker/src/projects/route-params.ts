import { z } from "@hono/zod-openapi";
import { OrgId } from "../../../shared/api";
import { ProjectId, SnapshotId } from "../../../shared/projects";

/** The path parameters of every route under one project (here and in the rooms module's project-room routes). */
export const ProjectParams = z.object({ orgId: OrgId, projectId: ProjectId });
export const SnapshotParams = ProjectParams.extend({ snapshotId: SnapshotId });

/** A literal type, not `string`: the typed web client (`hc`) is built from these paths. */
export const projectPath = <R extends string = "">(rest: R = "" as R) => `/v1/orgs/{orgId}/projects/{projectId}${rest}` as const;
