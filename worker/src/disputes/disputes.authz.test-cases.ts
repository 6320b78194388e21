import { type MatrixCase, ORG_READ } from "../../test/authz-matrix";

export const disputesMatrix: MatrixCase[] = [
  {
    route: "GET /v1/orgs/:orgId/disputes",
    scope: "payments:read",
    build: (fx) => ({ method: "GET", path: `/v1/orgs/${fx.orgId}/disputes?state=open` }),
    expected: ORG_READ,
  },
];
