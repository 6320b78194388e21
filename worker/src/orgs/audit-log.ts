/** The org's audit log: its own events, and account events (logins, tokens) of its current members. */
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, inArray, isNull, or } from "drizzle-orm";
import { AuditEvent, Cursor, Limit, OrgId, page } from "../../../shared/api";
import { auditLogPage } from "../audit";
import { userEmailSql } from "../auth";
import type { Ctx } from "../context";
import { requireOrgRole } from "../http/access";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, json, notFoundError } from "../http/openapi-helpers";
import { memberships } from "./tables";

export function orgAuditLog({ db }: Ctx, input: { orgId: string; limit: number; cursor?: string }) {
  const members = db.select({ userId: memberships.userId }).from(memberships).where(eq(memberships.orgId, input.orgId));
  return auditLogPage(db, {
    visible: ({ orgId, actorUserId }) => or(eq(orgId, input.orgId), and(isNull(orgId), inArray(actorUserId, members))),
    actorEmail: (actorUserId) => userEmailSql(actorUserId),
    limit: input.limit,
    cursor: input.cursor,
  });
}

export const orgAuditLogRoutes = createRouter().openapi(
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
    return c.json(await orgAuditLog(c.var.ctx, { orgId: access.orgId, ...c.req.valid("query") }), 200);
  },
);
