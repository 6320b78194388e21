import { type Expected, type MatrixCase, ORG_ADMIN, ORG_READ, PUBLIC, succeedsWith } from "../../test/authz-matrix";
import { bundleBytes, createItemViaApi, MANIFEST, publishedItem, sha256Hex } from "../../test/catalog-api";
import type { OrgFixture } from "../../test/fixtures";
import { call } from "../../test/http";

/** One published item per fixture org, made on first use. */
const shared = new Map<string, Promise<{ id: string; slug: string }>>();
function sharedItem(fx: OrgFixture) {
  if (!shared.has(fx.orgId))
    shared.set(fx.orgId, publishedItem(fx.owner, fx.orgId, { slug: `matrix-item-${Date.now().toString(36)}`, name: "Matrix item" }));
  return shared.get(fx.orgId)!;
}

let minor = 0;
const nextVersion = () => `1.${++minor}.0`;

async function startUpload(fx: OrgFixture) {
  const { slug } = await sharedItem(fx);
  const version = nextVersion();
  const bytes = bundleBytes(version);
  const res = await call("POST", `/v1/items/${slug}/uploads`, {
    token: fx.owner.accessToken,
    body: { version, manifest: MANIFEST(slug, version), sha256: await sha256Hex(bytes), size: bytes.length },
  });
  return { uploadUrl: res.body.uploadUrl as string, bytes };
}

/** Org admins publish; members are refused; anyone outside the org (operators too) sees nothing. */
const PUBLISH: Expected = { anon: 401, outsider: 404, member: 403, admin: 201, owner: 201, operator: 404 };
const png = { rawBody: "\x89PNG fake image", headers: { "content-type": "image/png" } };

export const catalogMatrix: MatrixCase[] = [
  {
    route: "GET /v1/orgs/:orgId/items",
    scope: "catalog:read",
    build: (fx) => ({ method: "GET", path: `/v1/orgs/${fx.orgId}/items` }),
    expected: ORG_READ,
  },
  {
    route: "POST /v1/orgs/:orgId/items",
    scope: "catalog:write",
    build: (fx) => ({
      method: "POST",
      path: `/v1/orgs/${fx.orgId}/items`,
      options: { body: { slug: `new-${Date.now().toString(36)}-${++minor}`, name: "New", category: "other" } },
    }),
    expected: succeedsWith(ORG_ADMIN, 201),
  },
  {
    route: "GET /v1/orgs/:orgId/items/:itemId",
    scope: "catalog:read",
    build: async (fx) => ({ method: "GET", path: `/v1/orgs/${fx.orgId}/items/${(await sharedItem(fx)).id}` }),
    expected: ORG_READ,
  },
  {
    route: "PATCH /v1/orgs/:orgId/items/:itemId",
    scope: "catalog:write",
    build: async (fx) => ({
      method: "PATCH",
      path: `/v1/orgs/${fx.orgId}/items/${(await sharedItem(fx)).id}`,
      options: { body: { summary: "Edited" } },
    }),
    expected: ORG_ADMIN,
  },
  {
    route: "GET /v1/orgs/:orgId/items/:itemId/versions",
    scope: "catalog:read",
    build: async (fx) => ({ method: "GET", path: `/v1/orgs/${fx.orgId}/items/${(await sharedItem(fx)).id}/versions` }),
    expected: ORG_READ,
  },
  {
    route: "POST /v1/orgs/:orgId/items/:itemId/versions/:version/yank",
    scope: "catalog:write",
    build: async (fx) => ({ method: "POST", path: `/v1/orgs/${fx.orgId}/items/${(await sharedItem(fx)).id}/versions/1.0.0/yank` }),
    expected: ORG_ADMIN,
  },
  {
    route: "POST /v1/orgs/:orgId/items/:itemId/versions/:version/unyank",
    scope: "catalog:write",
    build: async (fx) => ({ method: "POST", path: `/v1/orgs/${fx.orgId}/items/${(await sharedItem(fx)).id}/versions/1.0.0/unyank` }),
    expected: ORG_ADMIN,
  },
  {
    route: "PUT /v1/orgs/:orgId/items/:itemId/icon",
    scope: "catalog:write",
    build: async (fx) => ({ method: "PUT", path: `/v1/orgs/${fx.orgId}/items/${(await sharedItem(fx)).id}/icon`, options: png }),
    expected: ORG_ADMIN,
  },
  {
    route: "POST /v1/orgs/:orgId/items/:itemId/screenshots",
    scope: "catalog:write",
    build: async (fx) => ({ method: "POST", path: `/v1/orgs/${fx.orgId}/items/${(await sharedItem(fx)).id}/screenshots`, options: png }),
    expected: succeedsWith(ORG_ADMIN, 201),
  },
  {
    route: "PUT /v1/orgs/:orgId/items/:itemId/screenshots",
    scope: "catalog:write",
    build: async (fx) => {
      const item = await createItemViaApi(fx.owner, fx.orgId, { slug: `order-${Date.now().toString(36)}-${++minor}`, name: "Order" });
      const path = `/v1/orgs/${fx.orgId}/items/${item.id}/screenshots`;
      for (let i = 0; i < 2; i++) await call("POST", path, { token: fx.owner.accessToken, ...png });
      const { body } = await call("GET", `/v1/orgs/${fx.orgId}/items/${item.id}`, { token: fx.owner.accessToken });
      return { method: "PUT", path, options: { body: { screenshotUrls: [...body.screenshotUrls].reverse() } } };
    },
    expected: ORG_ADMIN,
  },
  {
    route: "DELETE /v1/orgs/:orgId/items/:itemId/screenshots/:index",
    scope: "catalog:write",
    build: async (fx) => {
      const item = await createItemViaApi(fx.owner, fx.orgId, { slug: `shots-${Date.now().toString(36)}-${++minor}`, name: "Shots" });
      await call("POST", `/v1/orgs/${fx.orgId}/items/${item.id}/screenshots`, { token: fx.owner.accessToken, ...png });
      return { method: "DELETE", path: `/v1/orgs/${fx.orgId}/items/${item.id}/screenshots/0` };
    },
    expected: succeedsWith(ORG_ADMIN, 204),
  },
  {
    route: "POST /v1/items/:slug/uploads",
    scope: "catalog:write",
    build: async (fx) => {
      const { slug } = await sharedItem(fx);
      const version = nextVersion();
      const bytes = bundleBytes(version);
      return {
        method: "POST",
        path: `/v1/items/${slug}/uploads`,
        options: { body: { version, manifest: MANIFEST(slug, version), sha256: await sha256Hex(bytes), size: bytes.length } },
      };
    },
    expected: PUBLISH,
  },
  {
    route: "PUT /v1/uploads/:uploadId",
    scope: "catalog:write",
    build: async (fx) => {
      const { uploadUrl, bytes } = await startUpload(fx);
      return {
        method: "PUT",
        path: uploadUrl,
        options: { rawBody: new TextDecoder().decode(bytes), headers: { "content-type": "application/octet-stream" } },
      };
    },
    expected: PUBLISH,
  },
  { route: "GET /v1/search", public: true, build: () => ({ method: "GET", path: "/v1/search?q=matrix" }), expected: PUBLIC },
  {
    route: "GET /v1/items/:slug",
    public: true,
    build: async (fx) => ({ method: "GET", path: `/v1/items/${(await sharedItem(fx)).slug}` }),
    expected: PUBLIC,
  },
  {
    route: "GET /v1/items/:slug/versions",
    public: true,
    build: async (fx) => ({ method: "GET", path: `/v1/items/${(await sharedItem(fx)).slug}/versions` }),
    expected: PUBLIC,
  },
  {
    route: "POST /v1/updates/check",
    public: true,
    build: async (fx) => ({
      method: "POST",
      path: "/v1/updates/check",
      options: { body: { installed: [{ item: (await sharedItem(fx)).slug, version: "1.0.0" }] } },
    }),
    expected: PUBLIC,
  },
];
