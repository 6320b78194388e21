import { createRoute, z } from "@hono/zod-openapi";
import { OrgId } from "../../../shared/api";
import { DisputeList, DisputeQuery } from "../../../shared/disputes";
import { requireOrgRole } from "../http/access";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, json, notFoundError } from "../http/openapi-helpers";
import { listDisputes } from "./service";

export const disputeRoutes = createRouter().openapi(
  createRoute({
    method: "get",
    path: "/v1/orgs/{orgId}/disputes",
    tags: ["Earnings"],
    summary: "The org's payment disputes (chargebacks), newest first: amount, reason, evidence deadline and where to respond",
    security: bearer,
    request: { params: z.object({ orgId: OrgId }), query: DisputeQuery },
    responses: { 200: json(DisputeList, "Disputes"), ...authErrors, ...notFoundError },
  }),
  async (c) => {
    const { orgId } = requireOrgRole(c.get("principal"), c.req.valid("param").orgId, "member", "payments:read");
    return c.json({ data: await listDisputes(c.var.ctx, { orgId, state: c.req.valid("query").state }) }, 200);
  },
);
