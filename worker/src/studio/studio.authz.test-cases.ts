import { type MatrixCase, ORG_READ } from "../../test/authz-matrix";
import { createItemViaApi } from "../../test/catalog-api";
import type { OrgFixture } from "../../test/fixtures";

/** One draft per fixture org, made on first use. */
const drafts = new Map<string, Promise<{ id: string }>>();
function draftOf(fx: OrgFixture) {
  if (!drafts.has(fx.orgId))
    drafts.set(fx.orgId, createItemViaApi(fx.owner, fx.orgId, { slug: `studio-matrix-${Date.now().toString(36)}`, name: "Studio matrix" }));
  return drafts.get(fx.orgId)!;
}

export const studioMatrix: MatrixCase[] = [
  {
    route: "GET /v1/orgs/:orgId/studio/items",
    scope: "catalog:read",
    build: (fx) => ({ method: "GET", path: `/v1/orgs/${fx.orgId}/studio/items?status=draft` }),
    expected: ORG_READ,
  },
  {
    route: "GET /v1/orgs/:orgId/studio/items/:itemId",
    scope: "catalog:read",
    build: async (fx) => ({ method: "GET", path: `/v1/orgs/${fx.orgId}/studio/items/${(await draftOf(fx)).id}` }),
    expected: ORG_READ,
  },
];
