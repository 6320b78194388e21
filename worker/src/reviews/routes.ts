import { createRoute, z } from "@hono/zod-openapi";
import { Cursor, OrgId, page } from "../../../shared/api";
import { ItemId, ItemSlug, ReplyBody, Review, ReviewBody, ReviewId, UpdateReviewBody } from "../../../shared/catalog";
import { requireOrgRole, requirePrincipal } from "../http/access";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, conflictError, json, jsonBody, noContent, notFoundError } from "../http/openapi-helpers";
import * as service from "./service";

const SlugParams = z.object({ slug: ItemSlug });
const ReplyParams = z.object({ orgId: OrgId, itemId: ItemId, reviewId: ReviewId });
const tag = ["Reviews"];
const errors = { ...authErrors, ...notFoundError };

export const reviewRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/items/{slug}/reviews",
      tags: tag,
      summary: "Reviews of an item by its buyers, newest first, with the author's reply",
      request: {
        params: SlugParams,
        query: z.object({ cursor: Cursor.optional(), limit: z.coerce.number().int().min(1).max(50).default(20) }),
      },
      responses: { 200: json(page(Review), "A page of reviews"), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const { limit, cursor } = c.req.valid("query");
      return c.json(await service.listReviews(c.var.ctx, { slug: c.req.valid("param").slug, limit, cursor }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/items/{slug}/reviews",
      tags: tag,
      summary: "Review an item you bought or installed (one review per item)",
      security: bearer,
      request: { params: SlugParams, ...jsonBody(ReviewBody) },
      responses: { 201: json(Review, "Created"), ...errors, ...conflictError },
    }),
    async (c) => {
      const p = requirePrincipal(c.get("principal"), "catalog:write");
      const review = await service.createReview(c.var.ctx, {
        userId: p.userId,
        slug: c.req.valid("param").slug,
        input: c.req.valid("json"),
      });
      return c.json(review, 201);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/v1/items/{slug}/reviews/mine",
      tags: tag,
      summary: "Edit your review",
      security: bearer,
      request: { params: SlugParams, ...jsonBody(UpdateReviewBody) },
      responses: { 200: json(Review, "Updated"), ...errors },
    }),
    async (c) => {
      const p = requirePrincipal(c.get("principal"), "catalog:write");
      const review = await service.updateMyReview(c.var.ctx, {
        userId: p.userId,
        slug: c.req.valid("param").slug,
        input: c.req.valid("json"),
      });
      return c.json(review, 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/v1/items/{slug}/reviews/mine",
      tags: tag,
      summary: "Delete your review",
      security: bearer,
      request: { params: SlugParams },
      responses: { ...noContent, ...errors },
    }),
    async (c) => {
      const p = requirePrincipal(c.get("principal"), "catalog:write");
      await service.deleteMyReview(c.var.ctx, { userId: p.userId, slug: c.req.valid("param").slug });
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/orgs/{orgId}/items/{itemId}/reviews/{reviewId}/reply",
      tags: tag,
      summary: "Reply to a review of your org's item, once (admin)",
      security: bearer,
      request: { params: ReplyParams, ...jsonBody(ReplyBody) },
      responses: { 200: json(Review, "Replied"), ...errors, ...conflictError },
    }),
    async (c) => {
      const { orgId, itemId, reviewId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "admin", "catalog:write");
      return c.json(await service.replyToReview(c.var.ctx, { access, itemId, reviewId, body: c.req.valid("json").body }), 200);
    },
  );
