import { createRoute, z } from "@hono/zod-openapi";
import { AuditEvent, Cursor, Limit, OrgId, page } from "../../../shared/api";
import { requireOrgRole } from "../http/access";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, json, notFoundError } from "../http/openapi-helpers";
import { orgAuditLog } from "./query";

export const auditRoutes = createRouter().openapi(
  createRoute({
    method: "get",
    path: "/v1/orgs/{orgId}/audit-log",
    tags: ["Audit"],
    summary: "Security-relevant events of the org and its members, newest first (admin)",
    security: bearer,
    request: { params: z.object({ orgId: OrgId }), query: z.object({ cursor: Cursor.optional(), limit: Limit }) },
    responses: { 200: json(page(AuditEvent), "A page of events"), ...authErrors, ...notFoundError },
  }),
  async (c) => {
    const access = requireOrgRole(c.get("principal"), c.req.valid("param").orgId, "admin", "audit:read");
    const { limit, cursor } = c.req.valid("query");
    return c.json(await orgAuditLog(c.get("db"), access.orgId, limit, cursor), 200);
  },
);
