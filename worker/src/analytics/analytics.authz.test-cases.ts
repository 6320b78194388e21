import { type MatrixCase, OPERATOR_ONLY, ORG_READ } from "../../test/authz-matrix";

export const analyticsMatrix: MatrixCase[] = [
  {
    route: "GET /v1/orgs/:orgId/analytics",
    scope: "payments:read",
    build: (fx) => ({ method: "GET", path: `/v1/orgs/${fx.orgId}/analytics` }),
    expected: ORG_READ,
  },
  {
    route: "GET /v1/orgs/:orgId/analytics/csv",
    scope: "payments:read",
    build: (fx) => ({ method: "GET", path: `/v1/orgs/${fx.orgId}/analytics/csv?days=7` }),
    expected: ORG_READ,
  },
  {
    route: "GET /v1/operator/analytics",
    scope: "payments:read",
    build: () => ({ method: "GET", path: "/v1/operator/analytics" }),
    expected: OPERATOR_ONLY,
  },
];
