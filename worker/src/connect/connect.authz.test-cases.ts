import { type MatrixCase, ORG_ADMIN, ORG_READ, succeedsWith } from "../../test/authz-matrix";

/** Admins and owners of an org that has not onboarded yet cannot open the Express dashboard: 409. */
const ADMIN_CONFLICT = { anon: 401, outsider: 404, member: 403, admin: 409, owner: 409, operator: 404 };

export const connectMatrix: MatrixCase[] = [
  {
    route: "GET /v1/orgs/:orgId/connect",
    scope: "payments:read",
    build: (fx) => ({ method: "GET", path: `/v1/orgs/${fx.orgId}/connect` }),
    expected: ORG_READ,
  },
  {
    route: "POST /v1/orgs/:orgId/connect/onboarding",
    scope: "payments:write",
    build: (fx) => ({ method: "POST", path: `/v1/orgs/${fx.orgId}/connect/onboarding` }),
    expected: succeedsWith(ORG_ADMIN, 201),
  },
  {
    route: "POST /v1/orgs/:orgId/connect/dashboard-link",
    scope: "payments:write",
    build: (fx) => ({ method: "POST", path: `/v1/orgs/${fx.orgId}/connect/dashboard-link` }),
    expected: ADMIN_CONFLICT,
  },
];
