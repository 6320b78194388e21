import { ANY_USER, type MatrixCase } from "../../test/authz-matrix";
import { publishedItem } from "../../test/catalog-api";
import { getFreeItem } from "../../test/entitlement-fixtures";
import type { OrgFixture } from "../../test/fixtures";

/** One published item per fixture that only the fixture's owner holds: members of its org do not own it. */
const owned = new Map<string, Promise<string>>();
function ownersItem(fx: OrgFixture) {
  let slug = owned.get(fx.orgId);
  if (!slug) {
    slug = (async () => {
      const item = await publishedItem(fx.owner, fx.orgId, { slug: `dl-matrix-${Date.now().toString(36)}`, name: "Download matrix" });
      await getFreeItem(fx.owner, item.slug);
      return item.slug;
    })();
    owned.set(fx.orgId, slug);
  }
  return slug;
}

export const downloadsMatrix: MatrixCase[] = [
  {
    route: "GET /v1/me/library",
    scope: "catalog:read",
    build: () => ({ method: "GET", path: "/v1/me/library" }),
    expected: ANY_USER,
  },
  {
    // Only a holder of the item may mint: everyone else is told to get or buy it first.
    route: "POST /v1/me/downloads",
    scope: "catalog:read",
    build: async (fx) => ({ method: "POST", path: "/v1/me/downloads", options: { body: { item: await ownersItem(fx) } } }),
    expected: { anon: 401, outsider: 403, member: 403, admin: 403, owner: 201, operator: 403 },
  },
];
