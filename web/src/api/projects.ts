/**
 * The project routes of issue #7 (/work/projects-spec.md): projects, installed items, assets,
 * snapshots and room tokens. Plain `fetch` calls rather than `hc`: asset uploads send raw bodies
 * and downloads stream, which the typed client does not model.
 */
import type { z } from "zod";
import type {
  InstalledItem,
  Project,
  ProjectAsset,
  ProjectRoleT,
  ProjectSummary,
  RestoreResult,
  RoomTokenResponse,
  SnapshotDetail,
  SnapshotList,
  SnapshotSummary,
} from "../../../shared/projects";
import { authorizedFetch } from "./authorized-fetch";
import { apiErrorFrom, asApiError } from "./errors";

export type MemberRole = ProjectRoleT;
export type InstalledItemT = z.infer<typeof InstalledItem>;
export type ProjectAssetT = z.infer<typeof ProjectAsset>;
export type ProjectSummaryT = z.infer<typeof ProjectSummary>;
export type ProjectT = z.infer<typeof Project>;
export type SnapshotSummaryT = z.infer<typeof SnapshotSummary>;
export type SnapshotDetailT = z.infer<typeof SnapshotDetail>;
export type RoomTokenT = z.infer<typeof RoomTokenResponse>;

const enc = encodeURIComponent;
const projectsUrl = (orgId: string) => `/v1/orgs/${enc(orgId)}/projects`;
const projectUrl = (orgId: string, projectId: string) => `${projectsUrl(orgId)}/${enc(projectId)}`;

/** Sends one request; a 2xx body (JSON or nothing) or a thrown ApiError with the envelope's message. */
async function call<T>(method: string, path: string, init: { json?: unknown; body?: BodyInit; contentType?: string } = {}): Promise<T> {
  const headers = new Headers();
  let body = init.body;
  if (init.json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(init.json);
  } else if (init.contentType) headers.set("content-type", init.contentType);
  let res: Response;
  try {
    res = await authorizedFetch(path, { method, headers, body });
  } catch (err) {
    throw asApiError(err);
  }
  if (!res.ok) throw await apiErrorFrom(res);
  if (res.status === 204 || !res.headers.get("content-type")?.includes("json")) return undefined as T;
  return (await res.json()) as T;
}

export const listProjects = (orgId: string, cursor?: string) =>
  call<{ projects: ProjectSummaryT[]; nextCursor: string | null }>("GET", `${projectsUrl(orgId)}${cursor ? `?cursor=${enc(cursor)}` : ""}`);
export const createProject = (orgId: string, body: { name: string; memberRole?: MemberRole }) =>
  call<ProjectT>("POST", projectsUrl(orgId), { json: body });
export const getProject = (orgId: string, projectId: string) => call<ProjectT>("GET", projectUrl(orgId, projectId));
export const updateProject = (
  orgId: string,
  projectId: string,
  body: { name?: string; memberRole?: MemberRole; state?: Record<string, unknown> },
) => call<ProjectT>("PATCH", projectUrl(orgId, projectId), { json: body });
export const deleteProject = (orgId: string, projectId: string) => call<void>("DELETE", projectUrl(orgId, projectId));

export const installItem = (orgId: string, projectId: string, itemSlug: string) =>
  call<unknown>("PUT", `${projectUrl(orgId, projectId)}/items/${enc(itemSlug)}`);
export const uninstallItem = (orgId: string, projectId: string, itemSlug: string) =>
  call<void>("DELETE", `${projectUrl(orgId, projectId)}/items/${enc(itemSlug)}`);

export const assetUrl = (orgId: string, projectId: string, name: string) => `${projectUrl(orgId, projectId)}/assets/${enc(name)}`;
export const uploadAsset = (orgId: string, projectId: string, file: File) =>
  call<unknown>("PUT", assetUrl(orgId, projectId, file.name), { body: file, contentType: file.type || "application/octet-stream" });
export const deleteAsset = (orgId: string, projectId: string, name: string) => call<void>("DELETE", assetUrl(orgId, projectId, name));

/** The asset's bytes; the route needs the bearer token, so a plain link cannot download it. */
export async function downloadAsset(orgId: string, projectId: string, name: string): Promise<Blob> {
  let res: Response;
  try {
    res = await authorizedFetch(assetUrl(orgId, projectId, name));
  } catch (err) {
    throw asApiError(err);
  }
  if (!res.ok) throw await apiErrorFrom(res);
  return res.blob();
}

export const listSnapshots = (orgId: string, projectId: string, cursor?: string) =>
  call<z.infer<typeof SnapshotList>>("GET", `${projectUrl(orgId, projectId)}/snapshots${cursor ? `?cursor=${enc(cursor)}` : ""}`);
export const getSnapshot = (orgId: string, projectId: string, snapshotId: string) =>
  call<SnapshotDetailT>("GET", `${projectUrl(orgId, projectId)}/snapshots/${enc(snapshotId)}`);
export const snapshotNow = (orgId: string, projectId: string) =>
  call<SnapshotSummaryT>("POST", `${projectUrl(orgId, projectId)}/snapshots`);
export const restoreSnapshot = (orgId: string, projectId: string, snapshotId: string) =>
  call<z.infer<typeof RestoreResult>>("POST", `${projectUrl(orgId, projectId)}/snapshots/${enc(snapshotId)}/restore`);

export const mintRoomToken = (orgId: string, projectId: string) => call<RoomTokenT>("POST", `${projectUrl(orgId, projectId)}/room-token`);
