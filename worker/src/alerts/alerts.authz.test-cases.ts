import { type MatrixCase, OPERATOR_ONLY } from "../../test/authz-matrix";

export const alertsMatrix: MatrixCase[] = [
  {
    route: "GET /v1/operator/dead-letters",
    scope: "payments:read",
    build: () => ({ method: "GET", path: "/v1/operator/dead-letters" }),
    expected: OPERATOR_ONLY,
  },
];
