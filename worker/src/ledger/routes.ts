import { createRoute, z } from "@hono/zod-openapi";
import { Cursor, Limit, OrgId, page } from "../../../shared/api";
import { PlatformFee } from "../../../shared/fees";
import { Earnings, LedgerEntry, PlatformRevenue } from "../../../shared/payments";
import { requireOperator, requireOrgRole } from "../http/access";
import { csvResponse } from "../http/csv";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, json, notFoundError } from "../http/openapi-helpers";
import { orgEarnings, platformRevenue } from "./balances";
import { platformFee } from "./fees";
import { LEDGER_CSV_HEADER, orgLedgerCsvRows, orgLedgerPage } from "./history";

const today = () => new Date().toISOString().slice(0, 10);

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
      path: "/v1/orgs/{orgId}/ledger",
      tags: ["Earnings"],
      summary: "The org's ledger entries, newest first",
      security: bearer,
      request: { params: z.object({ orgId: OrgId }), query: z.object({ cursor: Cursor.optional(), limit: Limit }) },
      responses: { 200: json(page(LedgerEntry), "A page of ledger entries"), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const { orgId } = requireOrgRole(c.get("principal"), c.req.valid("param").orgId, "member", "payments:read");
      const { limit, cursor } = c.req.valid("query");
      return c.json(await orgLedgerPage(c.var.ctx, { orgId, limit, cursor }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/orgs/{orgId}/ledger/csv",
      tags: ["Earnings"],
      summary:
        "Every ledger entry of the org as CSV for an accountant: date (UTC), type, amount (decimal, signed), currency, order id, reference",
      security: bearer,
      request: { params: z.object({ orgId: OrgId }) },
      responses: {
        200: { description: "The ledger, newest first", content: { "text/csv": { schema: z.string() } } },
        ...authErrors,
        ...notFoundError,
      },
    }),
    (c) => {
      const { orgId } = requireOrgRole(c.get("principal"), c.req.valid("param").orgId, "member", "payments:read");
      return csvResponse(`plaza-ledger-${orgId}-${today()}.csv`, LEDGER_CSV_HEADER, orgLedgerCsvRows(c.var.ctx, orgId));
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
