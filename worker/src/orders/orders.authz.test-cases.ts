import { ANY_USER, type MatrixCase, OPERATOR_ONLY, ORG_READ } from "../../test/authz-matrix";
import { insertOrder } from "../../test/payment-fixtures";

/** A fully refunded order: admins and owners (or operators) get as far as "nothing left to refund". */
const refunded = (orgId: string, userId: string) => insertOrder(orgId, userId, { status: "refunded", amountRefunded: 1000 });

export const ordersMatrix: MatrixCase[] = [
  {
    route: "GET /v1/orgs/:orgId/orders",
    scope: "payments:read",
    build: (fx) => ({ method: "GET", path: `/v1/orgs/${fx.orgId}/orders` }),
    expected: ORG_READ,
  },
  {
    route: "GET /v1/orgs/:orgId/orders/:orderId",
    scope: "payments:read",
    build: async (fx) => ({ method: "GET", path: `/v1/orgs/${fx.orgId}/orders/${(await insertOrder(fx.orgId, fx.outsider.id)).id}` }),
    expected: ORG_READ,
  },
  {
    route: "POST /v1/orgs/:orgId/orders/:orderId/refund",
    scope: "payments:write",
    build: async (fx) => ({
      method: "POST",
      path: `/v1/orgs/${fx.orgId}/orders/${(await refunded(fx.orgId, fx.outsider.id)).id}/refund`,
      options: { body: { reason: "matrix" } },
    }),
    expected: { anon: 401, outsider: 404, member: 403, admin: 409, owner: 409, operator: 404 },
  },
  {
    route: "POST /v1/operator/orders/:orderId/refund",
    scope: "payments:write",
    build: async (fx) => ({
      method: "POST",
      path: `/v1/operator/orders/${(await refunded(fx.orgId, fx.outsider.id)).id}/refund`,
      options: { body: { reason: "matrix" } },
    }),
    expected: { ...OPERATOR_ONLY, operator: 409 },
  },
  { route: "GET /v1/me/orders", scope: "payments:read", build: () => ({ method: "GET", path: "/v1/me/orders" }), expected: ANY_USER },
];
