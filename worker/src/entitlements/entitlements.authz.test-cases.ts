import { ANY_USER, type MatrixCase, OPERATOR_ONLY, succeedsWith } from "../../test/authz-matrix";
import { insertItem } from "../../test/catalog-fixtures";
import { getFreeItem } from "../../test/entitlement-fixtures";

export const entitlementsMatrix: MatrixCase[] = [
  {
    route: "POST /v1/items/:slug/get",
    scope: "catalog:write",
    build: async (fx) => ({ method: "POST", path: `/v1/items/${(await insertItem(fx.orgId)).slug}/get` }),
    expected: succeedsWith(ANY_USER, 201),
  },
  {
    route: "GET /v1/me/entitlements",
    scope: "catalog:read",
    build: () => ({ method: "GET", path: "/v1/me/entitlements" }),
    expected: ANY_USER,
  },
  {
    route: "POST /v1/operator/entitlements",
    scope: "catalog:write",
    build: async (fx) => ({
      method: "POST",
      path: "/v1/operator/entitlements",
      options: { body: { itemId: (await insertItem(fx.orgId)).id, userId: fx.member.id, reason: "press copy" } },
    }),
    expected: succeedsWith(OPERATOR_ONLY, 201),
  },
  {
    route: "POST /v1/operator/entitlements/:entitlementId/revoke",
    scope: "catalog:write",
    build: async (fx) => {
      const entitlement = await getFreeItem(fx.member, (await insertItem(fx.orgId)).slug);
      return { method: "POST", path: `/v1/operator/entitlements/${entitlement.id}/revoke`, options: { body: { reason: "chargeback" } } };
    },
    expected: OPERATOR_ONLY,
  },
];
