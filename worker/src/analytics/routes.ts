import { createRoute, z } from "@hono/zod-openapi";
import { ANALYTICS_CSV_COLUMNS, Analytics, AnalyticsDays, AnalyticsQuery, PlatformAnalytics } from "../../../shared/analytics";
import { OrgId } from "../../../shared/api";
import { requireOperator, requireOrgRole } from "../http/access";
import { csvResponse } from "../http/csv";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, json, notFoundError } from "../http/openapi-helpers";
import { orgAnalytics, platformAnalytics } from "./service";

const today = () => new Date().toISOString().slice(0, 10);

export const analyticsRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/orgs/{orgId}/analytics",
      tags: ["Analytics"],
      summary: "The org's daily numbers over the last 7, 30, 90 or 365 days (UTC), for all items or one, in one currency",
      security: bearer,
      request: { params: z.object({ orgId: OrgId }), query: AnalyticsQuery },
      responses: { 200: json(Analytics, "Analytics"), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const { orgId } = requireOrgRole(c.get("principal"), c.req.valid("param").orgId, "member", "payments:read");
      return c.json(await orgAnalytics(c.var.ctx, { orgId, ...c.req.valid("query") }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/orgs/{orgId}/analytics/csv",
      tags: ["Analytics"],
      summary: "The same daily numbers as CSV: a header row of the day's fields, one line per day",
      security: bearer,
      request: { params: z.object({ orgId: OrgId }), query: AnalyticsQuery },
      responses: {
        200: { description: "One line per day, oldest first", content: { "text/csv": { schema: z.string() } } },
        ...authErrors,
        ...notFoundError,
      },
    }),
    async (c) => {
      const { orgId } = requireOrgRole(c.get("principal"), c.req.valid("param").orgId, "member", "payments:read");
      const { series } = await orgAnalytics(c.var.ctx, { orgId, ...c.req.valid("query") });
      const lines = series.map((day) => ANALYTICS_CSV_COLUMNS.map((column) => day[column]));
      return csvResponse(
        `plaza-analytics-${orgId}-${today()}.csv`,
        ANALYTICS_CSV_COLUMNS,
        (async function* () {
          yield lines;
        })(),
      );
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/operator/analytics",
      tags: ["Operator"],
      summary: "The platform's daily gross sales, fee income, refunds and disputes in one currency",
      security: bearer,
      request: { query: z.object({ days: AnalyticsDays.default(30), currency: z.string().optional() }) },
      responses: { 200: json(PlatformAnalytics, "Platform analytics"), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      requireOperator(c.get("principal"), "payments:read");
      return c.json(await platformAnalytics(c.var.ctx, c.req.valid("query")), 200);
    },
  );
