import { createRoute, z } from "@hono/zod-openapi";
import { OrgId } from "../../../shared/api";
import { ItemId } from "../../../shared/catalog";
import { Coupon, CouponBody, CouponId } from "../../../shared/coupons";
import { requireOrgRole } from "../http/access";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, conflictError, ErrorSchema, json, jsonBody, notFoundError, stripeErrors } from "../http/openapi-helpers";
import * as service from "./service";

const tags = ["Coupons"];
const itemParams = z.object({ orgId: OrgId, itemId: ItemId });
const unprocessable = { 422: json(ErrorSchema, "`unprocessable`: the code does not fit the item (see `fields`)") };

export const couponRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/orgs/{orgId}/items/{itemId}/coupons",
      tags,
      summary: "An item's coupon codes, newest first, with their redemptions",
      security: bearer,
      request: { params: itemParams },
      responses: { 200: json(z.object({ data: z.array(Coupon) }), "The codes"), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const { orgId, itemId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "member", "catalog:read");
      return c.json({ data: await service.listCoupons(c.var.ctx, { orgId: access.orgId, itemId }) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/orgs/{orgId}/items/{itemId}/coupons",
      tags,
      summary: "Create a code for a percent or an amount off a paid one-time item (admin)",
      description:
        "The code is unique on Plaza in any case (409 on `code` when taken). Buyers enter it at checkout (`promotionCode`) until it is deactivated, expires (`expiresAt`) or reaches `maxRedemptions`. The platform fee and the author's share are computed on the discounted price.",
      security: bearer,
      request: { params: itemParams, ...jsonBody(CouponBody) },
      responses: {
        201: json(Coupon, "The code"),
        ...authErrors,
        ...notFoundError,
        ...conflictError,
        ...unprocessable,
        ...stripeErrors,
      },
    }),
    async (c) => {
      const { orgId, itemId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "admin", "catalog:write");
      return c.json(await service.createCoupon(c.var.ctx, { access, itemId, coupon: c.req.valid("json") }), 201);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/orgs/{orgId}/items/{itemId}/coupons/{couponId}/deactivate",
      tags,
      summary: "Stop a code working (admin); checkouts already opened with it keep their price. Idempotent.",
      security: bearer,
      request: { params: itemParams.extend({ couponId: CouponId }) },
      responses: { 200: json(Coupon, "The code, inactive"), ...authErrors, ...notFoundError, ...stripeErrors },
    }),
    async (c) => {
      const { orgId, itemId, couponId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "admin", "catalog:write");
      return c.json(await service.deactivateCoupon(c.var.ctx, { access, itemId, couponId }), 200);
    },
  );
