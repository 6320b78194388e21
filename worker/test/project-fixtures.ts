/** Projects written straight to D1 for the role-matrix cases of projects and rooms. */
import { env } from "cloudflare:workers";
import { newId } from "../src/crypto/random";
import { createDb } from "../src/db/client";
import { projectSnapshots, projects } from "../src/db/schema";
import type { ProjectAccess } from "../src/projects/access";
import type { OrgFixture } from "./fixtures";
import { documentWith } from "./rooms";
import { scriptedRoom } from "./scripted-room";

/** A fresh project of the fixture org (memberRole write), written straight to D1. */
export async function project(fx: OrgFixture) {
  const now = Date.now();
  const row = {
    id: newId("project"),
    orgId: fx.orgId,
    name: "Matrix",
    memberRole: "write" as const,
    state: {},
    createdBy: fx.owner.id,
    createdAt: now,
    updatedAt: now,
  };
  await createDb(env.DB).insert(projects).values(row);
  return { id: row.id, path: `/v1/orgs/${fx.orgId}/projects/${row.id}` };
}

/** A project with one stored snapshot, and its room scripted to hold that document. */
export async function snapshot(fx: OrgFixture) {
  const p = await project(fx);
  const id = newId("projectSnapshot");
  const body = documentWith("matrix");
  await createDb(env.DB)
    .insert(projectSnapshots)
    .values({
      id,
      projectId: p.id,
      orgId: fx.orgId,
      reason: "auto",
      sizeBytes: body.byteLength,
      sha256: "0".repeat(64),
      body: Buffer.from(body),
      r2Key: null,
      createdAt: Date.now(),
    });
  scriptedRoom(p.id, body);
  return { ...p, snapshotId: id };
}

/**
 * The owner's access to `project` as a route's check hands it to a service: for calling a service
 * with a copy loaded before something else changed the project (a race made deterministic).
 */
export const ownerAccess = (fx: OrgFixture, project: typeof projects.$inferSelect) =>
  ({ orgId: fx.orgId, role: "owner", principal: { userId: fx.owner.id }, project, projectRole: "write" }) as unknown as ProjectAccess;
