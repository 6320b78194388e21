import { env } from "cloudflare:workers";
import { type MatrixCase, ORG_ADMIN, ORG_READ, succeedsWith } from "../../test/authz-matrix";
import { insertItem } from "../../test/catalog-fixtures";
import type { OrgFixture, TestUser } from "../../test/fixtures";
import { project, snapshot } from "../../test/project-fixtures";
import { newId } from "../crypto/random";
import { createDb } from "../db/client";
import { entitlements, projectAssets, projectItems } from "../db/schema";

async function asset(fx: OrgFixture) {
  const p = await project(fx);
  const key = `projects/${p.id}/assets/matrix`;
  await env.BUCKET.put(key, "hello");
  await createDb(env.DB)
    .insert(projectAssets)
    .values({
      projectId: p.id,
      name: "hello.txt",
      orgId: fx.orgId,
      r2Key: key,
      contentType: "text/plain",
      size: 5,
      sha256: "0".repeat(64),
      createdBy: fx.owner.id,
      createdAt: Date.now(),
    });
  return `${p.path}/assets/hello.txt`;
}

/** An item the actor (if any) is entitled to, so only authorization decides. */
async function entitledItem(fx: OrgFixture, user: TestUser | undefined) {
  const item = await insertItem(fx.outsiderOrgId);
  if (user)
    await createDb(env.DB)
      .insert(entitlements)
      .values({ id: newId("entitlement"), itemId: item.id, userId: user.id, source: "grant", status: "active", createdAt: Date.now() });
  return item;
}

export const projectsMatrix: MatrixCase[] = [
  {
    route: "GET /v1/orgs/:orgId/projects",
    scope: "orgs:read",
    build: (fx) => ({ method: "GET", path: `/v1/orgs/${fx.orgId}/projects` }),
    expected: ORG_READ,
  },
  {
    route: "POST /v1/orgs/:orgId/projects",
    scope: "orgs:write",
    build: (fx) => ({ method: "POST", path: `/v1/orgs/${fx.orgId}/projects`, options: { body: { name: "New" } } }),
    expected: succeedsWith(ORG_READ, 201),
  },
  {
    route: "GET /v1/orgs/:orgId/projects/:projectId",
    scope: "orgs:read",
    build: async (fx) => ({ method: "GET", path: (await project(fx)).path }),
    expected: ORG_READ,
  },
  {
    route: "PATCH /v1/orgs/:orgId/projects/:projectId",
    scope: "orgs:write",
    build: async (fx) => ({ method: "PATCH", path: (await project(fx)).path, options: { body: { name: "Renamed" } } }),
    expected: ORG_READ,
  },
  {
    route: "DELETE /v1/orgs/:orgId/projects/:projectId",
    scope: "orgs:write",
    build: async (fx) => ({ method: "DELETE", path: (await project(fx)).path }),
    expected: succeedsWith(ORG_ADMIN, 204),
  },
  {
    route: "PUT /v1/orgs/:orgId/projects/:projectId/items/:itemSlug",
    scope: "orgs:write",
    build: async (fx, _actor, user) => ({
      method: "PUT",
      path: `${(await project(fx)).path}/items/${(await entitledItem(fx, user)).slug}`,
    }),
    expected: ORG_READ,
  },
  {
    route: "DELETE /v1/orgs/:orgId/projects/:projectId/items/:itemSlug",
    scope: "orgs:write",
    build: async (fx) => {
      const p = await project(fx);
      const item = await insertItem(fx.outsiderOrgId);
      await createDb(env.DB)
        .insert(projectItems)
        .values({ projectId: p.id, itemId: item.id, orgId: fx.orgId, installedBy: fx.owner.id, installedAt: Date.now() });
      return { method: "DELETE", path: `${p.path}/items/${item.slug}` };
    },
    expected: succeedsWith(ORG_READ, 204),
  },
  {
    route: "PUT /v1/orgs/:orgId/projects/:projectId/assets/:name",
    scope: "orgs:write",
    build: async (fx) => ({
      method: "PUT",
      path: `${(await project(fx)).path}/assets/notes.txt`,
      options: { rawBody: "notes", headers: { "content-type": "text/plain" } },
    }),
    expected: ORG_READ,
  },
  {
    route: "GET /v1/orgs/:orgId/projects/:projectId/assets/:name",
    scope: "orgs:read",
    build: async (fx) => ({ method: "GET", path: await asset(fx) }),
    expected: ORG_READ,
  },
  {
    route: "DELETE /v1/orgs/:orgId/projects/:projectId/assets/:name",
    scope: "orgs:write",
    build: async (fx) => ({ method: "DELETE", path: await asset(fx) }),
    expected: succeedsWith(ORG_READ, 204),
  },
  {
    route: "GET /v1/orgs/:orgId/projects/:projectId/snapshots",
    scope: "orgs:read",
    build: async (fx) => ({ method: "GET", path: `${(await project(fx)).path}/snapshots` }),
    expected: ORG_READ,
  },
  {
    route: "GET /v1/orgs/:orgId/projects/:projectId/snapshots/:snapshotId",
    scope: "orgs:read",
    build: async (fx) => {
      const s = await snapshot(fx);
      return { method: "GET", path: `${s.path}/snapshots/${s.snapshotId}` };
    },
    expected: ORG_READ,
  },
];
