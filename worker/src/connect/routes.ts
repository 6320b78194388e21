import { createRoute, z } from "@hono/zod-openapi";
import { OrgId } from "../../../shared/api";
import { ConnectLink, ConnectStatus } from "../../../shared/payments";
import { requireOrgRole } from "../http/access";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, conflictError, json, notFoundError } from "../http/openapi-helpers";
import * as service from "./service";

const tags = ["Payouts (Stripe Connect)"];
const params = z.object({ orgId: OrgId });
const errors = { ...authErrors, ...notFoundError };

export const connectRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/orgs/{orgId}/connect",
      tags,
      summary: "Whether the org's Stripe account can take charges and receive payouts",
      security: bearer,
      request: { params },
      responses: { 200: json(ConnectStatus, "The account's state"), ...errors },
    }),
    async (c) => {
      const { orgId } = requireOrgRole(c.get("principal"), c.req.valid("param").orgId, "member", "payments:read");
      return c.json(await service.connectStatus(c.var.ctx, orgId), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/orgs/{orgId}/connect/onboarding",
      tags,
      summary: "Start or continue payout onboarding: a fresh single-use Stripe link (admin)",
      security: bearer,
      request: { params },
      responses: { 201: json(ConnectLink, "Send the author to `url`"), ...errors },
    }),
    async (c) => {
      const access = requireOrgRole(c.get("principal"), c.req.valid("param").orgId, "admin", "payments:write");
      return c.json(await service.onboardingLink(c.var.ctx, { orgId: access.orgId, actorUserId: access.principal.userId }), 201);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/orgs/{orgId}/connect/dashboard-link",
      tags,
      summary: "A one-time login link to the Stripe Express dashboard (admin)",
      security: bearer,
      request: { params },
      responses: { 201: json(ConnectLink, "Send the author to `url`"), ...errors, ...conflictError },
    }),
    async (c) => {
      const { orgId } = requireOrgRole(c.get("principal"), c.req.valid("param").orgId, "admin", "payments:write");
      return c.json(await service.dashboardLink(c.var.ctx, orgId), 201);
    },
  );
