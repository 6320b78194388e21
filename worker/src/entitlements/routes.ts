import { createRoute, z } from "@hono/zod-openapi";
import { Cursor, Limit, page } from "../../../shared/api";
import { Entitlement, EntitlementId, ItemSlug, MyEntitlement, OperatorGrantBody, RevokeEntitlementBody } from "../../../shared/catalog";
import { requireOperator, requirePrincipal } from "../http/access";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, conflictError, json, jsonBody, notFoundError } from "../http/openapi-helpers";
import * as service from "./service";

const tag = ["Entitlements"];
const errors = { ...authErrors, ...notFoundError };

export const entitlementRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/items/{slug}/get",
      tags: tag,
      summary: "Get a free item: you hold a `free` entitlement afterwards (paid items go through checkout)",
      security: bearer,
      request: { params: z.object({ slug: ItemSlug }) },
      responses: {
        201: json(Entitlement, "Entitlement created"),
        200: json(Entitlement, "You already had it"),
        ...errors,
        ...conflictError,
      },
    }),
    async (c) => {
      const p = requirePrincipal(c.get("principal"), "catalog:write");
      const { entitlement, created } = await service.getFreeItem(c.var.ctx, { userId: p.userId, slug: c.req.valid("param").slug });
      return created ? c.json(entitlement, 201) : c.json(entitlement, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/me/entitlements",
      tags: tag,
      summary: "Your entitlements with their items, newest first",
      security: bearer,
      request: { query: z.object({ cursor: Cursor.optional(), limit: Limit }) },
      responses: { 200: json(page(MyEntitlement), "A page of entitlements"), ...authErrors },
    }),
    async (c) => {
      const p = requirePrincipal(c.get("principal"), "catalog:read");
      const { limit, cursor } = c.req.valid("query");
      return c.json(await service.listMyEntitlements(c.var.ctx, { userId: p.userId, limit, cursor }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/operator/entitlements",
      tags: ["Operator"],
      summary: "Grant a user an item (operator); the reason is audited",
      security: bearer,
      request: jsonBody(OperatorGrantBody),
      responses: { 201: json(Entitlement, "Granted"), ...errors },
    }),
    async (c) => {
      const operator = requireOperator(c.get("principal"));
      return c.json(await service.operatorGrant(c.var.ctx, { operatorId: operator.userId, input: c.req.valid("json") }), 201);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/operator/entitlements/{entitlementId}/revoke",
      tags: ["Operator"],
      summary: "Revoke an entitlement (operator); the holder's rating leaves the item's aggregate",
      security: bearer,
      request: { params: z.object({ entitlementId: EntitlementId }), ...jsonBody(RevokeEntitlementBody) },
      responses: { 200: json(Entitlement, "Revoked (or already was)"), ...errors },
    }),
    async (c) => {
      const operator = requireOperator(c.get("principal"));
      const { entitlementId } = c.req.valid("param");
      const { reason } = c.req.valid("json");
      return c.json(await service.revokeEntitlement(c.var.ctx, { entitlementId, reason, actorUserId: operator.userId }), 200);
    },
  );
