import { type MatrixCase, OPERATOR_ONLY } from "../../test/authz-matrix";
import { insertItem } from "../../test/catalog-fixtures";
import { call } from "../../test/http";

/** A fresh open report of a fresh item, made by the fixture's member. */
async function openReport(fx: Parameters<MatrixCase["build"]>[0]) {
  const item = await insertItem(fx.orgId);
  const res = await call("POST", `/v1/items/${item.slug}/report`, { token: fx.member.accessToken, body: { reason: "spam" } });
  return res.body.id as string;
}

export const operatorMatrix: MatrixCase[] = [
  {
    route: "GET /v1/operator/overview",
    scope: "catalog:read",
    build: () => ({ method: "GET", path: "/v1/operator/overview" }),
    expected: OPERATOR_ONLY,
  },
  {
    route: "GET /v1/operator/reports",
    scope: "catalog:read",
    build: () => ({ method: "GET", path: "/v1/operator/reports?status=open" }),
    expected: OPERATOR_ONLY,
  },
  {
    route: "POST /v1/operator/reports/:reportId/dismiss",
    scope: "catalog:write",
    build: async (fx) => ({ method: "POST", path: `/v1/operator/reports/${await openReport(fx)}/dismiss` }),
    expected: OPERATOR_ONLY,
  },
  {
    route: "GET /v1/operator/orders",
    scope: "payments:read",
    build: (fx) => ({ method: "GET", path: `/v1/operator/orders?q=${encodeURIComponent(fx.member.email)}` }),
    expected: OPERATOR_ONLY,
  },
  {
    route: "GET /v1/operator/jobs",
    scope: "catalog:read",
    build: () => ({ method: "GET", path: "/v1/operator/jobs" }),
    expected: OPERATOR_ONLY,
  },
  {
    route: "GET /v1/operator/job-runs",
    scope: "catalog:read",
    build: () => ({ method: "GET", path: "/v1/operator/job-runs?job=purge-job-runs" }),
    expected: OPERATOR_ONLY,
  },
  {
    route: "POST /v1/operator/jobs/:job/run",
    scope: "catalog:write",
    build: () => ({ method: "POST", path: "/v1/operator/jobs/purge-job-runs/run" }),
    expected: OPERATOR_ONLY,
  },
];
