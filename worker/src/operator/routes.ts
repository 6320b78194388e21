import { createRoute, z } from "@hono/zod-openapi";
import { page } from "../../../shared/api";
import {
  JobRun,
  JobRunsQuery,
  JobSummary,
  ModerationReport,
  OperatorOrder,
  OperatorOrdersQuery,
  OperatorOverview,
  ReportsQuery,
} from "../../../shared/operator";
import { requireOperator } from "../http/access";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, conflictError, json, notFoundError } from "../http/openapi-helpers";
import { jobRunsPage, jobSummaries, runJobNow } from "../maintenance";
import { dismissReport, moderationQueue } from "./moderation-queue";
import { searchOrders } from "./order-search";
import { operatorOverview } from "./overview";

const tags = ["Operator"];

export const operatorRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/operator/overview",
      tags,
      summary: "Payments by status, open disputes, dead letters, failing webhook endpoints and every job's last run (operator)",
      security: bearer,
      responses: { 200: json(OperatorOverview, "The platform at a glance"), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      requireOperator(c.get("principal"), "catalog:read");
      return c.json(await operatorOverview(c.var.ctx, c.var.runtime), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/operator/reports",
      tags,
      summary: "The moderation queue: reported items and reviews, open or resolved, newest first (operator)",
      security: bearer,
      request: { query: ReportsQuery },
      responses: { 200: json(page(ModerationReport), "A page of reports"), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      requireOperator(c.get("principal"), "catalog:read");
      return c.json(await moderationQueue(c.var.ctx, c.req.valid("query")), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/operator/reports/{reportId}/dismiss",
      tags,
      summary: "Close an open report without acting on the item or review (operator, audited)",
      security: bearer,
      request: { params: z.object({ reportId: z.string().max(64) }) },
      responses: { 200: json(ModerationReport, "The report, resolved"), ...authErrors, ...notFoundError, ...conflictError },
    }),
    async (c) => {
      const operator = requireOperator(c.get("principal"));
      return c.json(await dismissReport(c.var.ctx, { operatorId: operator.userId, reportId: c.req.valid("param").reportId }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/operator/orders",
      tags,
      summary: "Find orders by the buyer's e-mail, the order id, or a Stripe payment intent, checkout session or charge id (operator)",
      security: bearer,
      request: { query: OperatorOrdersQuery },
      responses: {
        200: json(z.object({ data: z.array(OperatorOrder) }), "The orders found, newest first"),
        ...authErrors,
        ...notFoundError,
      },
    }),
    async (c) => {
      requireOperator(c.get("principal"), "payments:read");
      return c.json({ data: await searchOrders(c.var.ctx, c.req.valid("query")) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/operator/jobs",
      tags,
      summary: "Every maintenance job, its schedule and its last run (operator)",
      security: bearer,
      responses: { 200: json(z.array(JobSummary), "The jobs by name"), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      requireOperator(c.get("principal"), "catalog:read");
      return c.json(await jobSummaries(c.var.ctx.db, c.var.runtime), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/operator/job-runs",
      tags,
      summary: "The job_runs log, newest first, of one job or all (operator)",
      security: bearer,
      request: { query: JobRunsQuery },
      responses: { 200: json(page(JobRun), "A page of runs"), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      requireOperator(c.get("principal"), "catalog:read");
      return c.json(await jobRunsPage(c.var.ctx.db, c.req.valid("query")), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/operator/jobs/{job}/run",
      tags,
      summary: "Run a maintenance job now, recorded in job_runs like a cron run (operator, audited)",
      security: bearer,
      request: { params: z.object({ job: z.string().max(100) }) },
      responses: { 200: json(JobRun, "The run, finished"), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const operator = requireOperator(c.get("principal"));
      return c.json(await runJobNow(c.var.ctx, c.var.runtime, { operatorId: operator.userId, job: c.req.valid("param").job }), 200);
    },
  );
