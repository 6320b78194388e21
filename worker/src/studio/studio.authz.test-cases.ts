import { type MatrixCase, ORG_READ } from "../../test/authz-matrix";

export const studioMatrix: MatrixCase[] = [
  {
    route: "GET /v1/orgs/:orgId/studio/items",
    scope: "catalog:read",
    build: (fx) => ({ method: "GET", path: `/v1/orgs/${fx.orgId}/studio/items?status=draft` }),
    expected: ORG_READ,
  },
];
