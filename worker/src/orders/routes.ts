import { createRoute, z } from "@hono/zod-openapi";
import { Cursor, Limit, OrgId, page } from "../../../shared/api";
import { Order, OrderId, RefundBody, RefundResult } from "../../../shared/payments";
import { requireOperator, requireOrgRole, requirePrincipal } from "../http/access";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, ErrorSchema, json, jsonBody, notFoundError, stripeErrors } from "../http/openapi-helpers";
import { buyerOrders, orgOrder, orgOrders } from "./queries";
import { requestRefund } from "./refunds";

const tags = ["Orders"];
const errors = { ...authErrors, ...notFoundError };
const pageQuery = z.object({ cursor: Cursor.optional(), limit: Limit });
const idempotencyHeader = z.object({ "idempotency-key": z.string().min(1).max(200).optional() });
const refundResponses = {
  202: json(
    RefundResult,
    "Refund requested from Stripe (`pending` until Stripe confirms it); with a known Idempotency-Key and the same body, that refund",
  ),
  ...errors,
  ...stripeErrors,
  409: json(
    ErrorSchema,
    "`conflict`: nothing left to refund; `refund_in_progress`: refunds waiting for Stripe's confirmation hold what is left; `already_refunded` / `refund_too_large`: Stripe has less left (refunded elsewhere, the order catches up when Stripe's event arrives); `payment_record_missing`: Stripe does not know the payment; `idempotency_conflict`",
  ),
  422: json(ErrorSchema, "`idempotency_key_reused`: this Idempotency-Key came with another body"),
};

export const orderRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/orgs/{orgId}/orders",
      tags,
      summary: "The org's sales, newest first",
      security: bearer,
      request: { params: z.object({ orgId: OrgId }), query: pageQuery },
      responses: { 200: json(page(Order), "A page of orders"), ...errors },
    }),
    async (c) => {
      const { orgId } = requireOrgRole(c.get("principal"), c.req.valid("param").orgId, "member", "payments:read");
      const { limit, cursor } = c.req.valid("query");
      return c.json(await orgOrders(c.var.ctx, { orgId, limit, cursor }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/orgs/{orgId}/orders/{orderId}",
      tags,
      summary: "One of the org's sales",
      security: bearer,
      request: { params: z.object({ orgId: OrgId, orderId: OrderId }) },
      responses: { 200: json(Order, "The order"), ...errors },
    }),
    async (c) => {
      const { orgId } = requireOrgRole(c.get("principal"), c.req.valid("param").orgId, "member", "payments:read");
      return c.json(await orgOrder(c.var.ctx, { orgId, orderId: c.req.valid("param").orderId }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/orgs/{orgId}/orders/{orderId}/refund",
      tags,
      summary: "Refund a sale in full or in part (admin); access ends when Stripe confirms a full refund",
      security: bearer,
      request: { params: z.object({ orgId: OrgId, orderId: OrderId }), headers: idempotencyHeader, ...jsonBody(RefundBody) },
      responses: refundResponses,
    }),
    async (c) => {
      const access = requireOrgRole(c.get("principal"), c.req.valid("param").orgId, "admin", "payments:write");
      const refund = await requestRefund(c.var.ctx, {
        orgId: access.orgId,
        orderId: c.req.valid("param").orderId,
        ...c.req.valid("json"),
        actorUserId: access.principal.userId,
        idempotencyKey: c.req.valid("header")["idempotency-key"],
      });
      return c.json(refund, 202);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/operator/orders/{orderId}/refund",
      tags: ["Operator"],
      summary: "Refund any order (operator); the reason is audited in the seller's log",
      security: bearer,
      request: { params: z.object({ orderId: OrderId }), headers: idempotencyHeader, ...jsonBody(RefundBody) },
      responses: refundResponses,
    }),
    async (c) => {
      const operator = requireOperator(c.get("principal"), "payments:write");
      // Any order: no org scope.
      const refund = await requestRefund(c.var.ctx, {
        orgId: null,
        orderId: c.req.valid("param").orderId,
        ...c.req.valid("json"),
        actorUserId: operator.userId,
        idempotencyKey: c.req.valid("header")["idempotency-key"],
      });
      return c.json(refund, 202);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/me/orders",
      tags,
      summary: "Your purchases, newest first",
      security: bearer,
      request: { query: pageQuery },
      responses: { 200: json(page(Order), "A page of orders"), ...authErrors },
    }),
    async (c) => {
      const p = requirePrincipal(c.get("principal"), "payments:read");
      const { limit, cursor } = c.req.valid("query");
      return c.json(await buyerOrders(c.var.ctx, { userId: p.userId, limit, cursor }), 200);
    },
  );
