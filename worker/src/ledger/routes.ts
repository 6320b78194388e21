import { createRoute, z } from "@hono/zod-openapi";
import { OrgId } from "../../../shared/api";
import { PlatformFee } from "../../../shared/fees";
import { Earnings, PlatformRevenue } from "../../../shared/payments";
import { requireOperator, requireOrgRole } from "../http/access";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, json, notFoundError } from "../http/openapi-helpers";
import { orgEarnings, platformRevenue } from "./balances";
import { platformFee } from "./fees";

export const ledgerRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/orgs/{orgId}/earnings",
      tags: ["Earnings"],
      summary: "The org's balance per currency (sales − platform fees − refunds − payouts) and latest ledger entries",
      security: bearer,
      request: { params: z.object({ orgId: OrgId }) },
      responses: { 200: json(Earnings, "Earnings"), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const { orgId } = requireOrgRole(c.get("principal"), c.req.valid("param").orgId, "member", "payments:read");
      return c.json(await orgEarnings(c.var.ctx, orgId), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/operator/revenue",
      tags: ["Operator"],
      summary: "Platform revenue per currency: fees kept, net of fees refunded",
      security: bearer,
      responses: { 200: json(PlatformRevenue, "Revenue"), ...authErrors },
    }),
    async (c) => {
      requireOperator(c.get("principal"), "payments:read");
      return c.json(await platformRevenue(c.var.ctx), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/platform-fee",
      tags: ["Earnings"],
      summary: "What Plaza keeps of each sale: a percentage (bps) of every sale, plus a fixed amount on one-time sales",
      responses: { 200: json(PlatformFee, "The platform fee") },
    }),
    (c) => c.json(platformFee(c.var.ctx.env), 200),
  );
