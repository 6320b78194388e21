import { type MatrixCase, OPERATOR_ONLY, ORG_READ, PUBLIC } from "../../test/authz-matrix";

export const ledgerMatrix: MatrixCase[] = [
  {
    route: "GET /v1/orgs/:orgId/earnings",
    scope: "payments:read",
    build: (fx) => ({ method: "GET", path: `/v1/orgs/${fx.orgId}/earnings` }),
    expected: ORG_READ,
  },
  {
    route: "GET /v1/orgs/:orgId/ledger",
    scope: "payments:read",
    build: (fx) => ({ method: "GET", path: `/v1/orgs/${fx.orgId}/ledger` }),
    expected: ORG_READ,
  },
  {
    route: "GET /v1/orgs/:orgId/ledger/csv",
    scope: "payments:read",
    build: (fx) => ({ method: "GET", path: `/v1/orgs/${fx.orgId}/ledger/csv` }),
    expected: ORG_READ,
  },
  {
    route: "GET /v1/operator/revenue",
    scope: "payments:read",
    build: () => ({ method: "GET", path: "/v1/operator/revenue" }),
    expected: OPERATOR_ONLY,
  },
  { route: "GET /v1/platform-fee", public: true, build: () => ({ method: "GET", path: "/v1/platform-fee" }), expected: PUBLIC },
];
