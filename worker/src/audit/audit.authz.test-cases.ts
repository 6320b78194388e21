import { type MatrixCase, ORG_ADMIN } from "../../test/authz-matrix";

export const auditMatrix: MatrixCase[] = [
  {
    route: "GET /v1/orgs/:orgId/audit-log",
    scope: "audit:read",
    build: (fx) => ({ method: "GET", path: `/v1/orgs/${fx.orgId}/audit-log` }),
    expected: ORG_ADMIN,
  },
];
