import { type MatrixCase, ORG_ADMIN, ORG_READ, succeedsWith } from "../../test/authz-matrix";
import { insertItem } from "../../test/catalog-fixtures";
import { call } from "../../test/http";

const paidItem = (orgId: string) => insertItem(orgId, { pricing: { model: "one_time", amount: 1000, currency: "usd" } });
const freshCode = () => `M${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;

export const couponsMatrix: MatrixCase[] = [
  {
    route: "GET /v1/orgs/:orgId/items/:itemId/coupons",
    scope: "catalog:read",
    build: async (fx) => ({ method: "GET", path: `/v1/orgs/${fx.orgId}/items/${(await paidItem(fx.orgId)).id}/coupons` }),
    expected: ORG_READ,
  },
  {
    route: "POST /v1/orgs/:orgId/items/:itemId/coupons",
    scope: "catalog:write",
    build: async (fx) => ({
      method: "POST",
      path: `/v1/orgs/${fx.orgId}/items/${(await paidItem(fx.orgId)).id}/coupons`,
      options: { body: { code: freshCode(), percentOff: 20 } },
    }),
    expected: succeedsWith(ORG_ADMIN, 201),
  },
  {
    // Each actor deactivates a fresh code its owner made.
    route: "POST /v1/orgs/:orgId/items/:itemId/coupons/:couponId/deactivate",
    scope: "catalog:write",
    build: async (fx) => {
      const path = `/v1/orgs/${fx.orgId}/items/${(await paidItem(fx.orgId)).id}/coupons`;
      const created = await call("POST", path, { token: fx.owner.accessToken, body: { code: freshCode(), amountOff: 200 } });
      return { method: "POST", path: `${path}/${created.body.id}/deactivate` };
    },
    expected: ORG_ADMIN,
  },
];
