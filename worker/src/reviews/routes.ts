import { createRoute, z } from "@hono/zod-openapi";
import { Cursor, OrgId, page } from "../../../shared/api";
import { ItemId, ItemSlug, ReplyBody, Review, ReviewBody, ReviewId, UpdateReviewBody } from "../../../shared/catalog";
import { MyReview, OrgReview, ReportReviewBody, ReviewReport } from "../../../shared/reviews";
import { requireOperator, requireOrgRole, requirePrincipal } from "../http/access";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, conflictError, json, jsonBody, noContent, notFoundError } from "../http/openapi-helpers";
import { listOrgReviews } from "./org-reviews";
import { replyToReview, setReply } from "./replies";
import { listReviewReports, reportReview } from "./reports";
import * as service from "./service";

const SlugParams = z.object({ slug: ItemSlug });
const ReplyParams = z.object({ orgId: OrgId, itemId: ItemId, reviewId: ReviewId });
const PageQuery = z.object({ cursor: Cursor.optional(), limit: z.coerce.number().int().min(1).max(50).default(20) });
const tag = ["Reviews"];
const errors = { ...authErrors, ...notFoundError };

export const reviewRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/items/{slug}/reviews",
      tags: tag,
      summary: "Reviews of an item by its buyers, newest first, with the author's reply",
      request: { params: SlugParams, query: PageQuery },
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
      summary: "Reply to a review of your org's item (admin); 409 once it has a reply, which PUT edits",
      security: bearer,
      request: { params: ReplyParams, ...jsonBody(ReplyBody) },
      responses: { 200: json(Review, "Replied"), ...errors, ...conflictError },
    }),
    async (c) => {
      const { orgId, itemId, reviewId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "admin", "catalog:write");
      return c.json(await replyToReview(c.var.ctx, { access, itemId, reviewId, body: c.req.valid("json").body }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/v1/orgs/{orgId}/items/{itemId}/reviews/{reviewId}/reply",
      tags: tag,
      summary: "Post or edit the one public reply to a review of your org's item (admin)",
      description:
        "An edit replaces the text and sets `reply.editedAt`; who first replied and when (`reply.createdAt`) stay. Audited as `review.replied` or `review.reply_edited`.",
      security: bearer,
      request: { params: ReplyParams, ...jsonBody(ReplyBody) },
      responses: { 200: json(Review, "The review with its reply"), ...errors },
    }),
    async (c) => {
      const { orgId, itemId, reviewId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "admin", "catalog:write");
      return c.json(await setReply(c.var.ctx, { access, itemId, reviewId, body: c.req.valid("json").body }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/orgs/{orgId}/items/{itemId}/reviews/{reviewId}/report",
      tags: tag,
      summary: "Report a review of your org's item to the operators, with a reason (admin; once per review)",
      security: bearer,
      request: { params: ReplyParams, ...jsonBody(ReportReviewBody) },
      responses: {
        201: json(z.object({ reason: z.string(), createdAt: z.number().int() }), "Reported"),
        ...errors,
        ...conflictError,
      },
    }),
    async (c) => {
      const { orgId, itemId, reviewId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "admin", "catalog:write");
      return c.json(await reportReview(c.var.ctx, { access, itemId, reviewId, reason: c.req.valid("json").reason }), 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/orgs/{orgId}/items/{itemId}/reviews",
      tags: tag,
      summary: "Every review of your org's item, newest first, counted or not, with its reply and report (members)",
      security: bearer,
      request: { params: z.object({ orgId: OrgId, itemId: ItemId }), query: PageQuery },
      responses: { 200: json(page(OrgReview), "A page of reviews"), ...errors },
    }),
    async (c) => {
      const { orgId, itemId } = c.req.valid("param");
      requireOrgRole(c.get("principal"), orgId, "member", "catalog:read");
      return c.json(await listOrgReviews(c.var.ctx, { orgId, itemId, ...c.req.valid("query") }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/items/{slug}/reviews/mine",
      tags: tag,
      summary: "Your review of the item, if any, and whether you may review it now (an active purchase, subscription or free install)",
      security: bearer,
      request: { params: SlugParams },
      responses: { 200: json(MyReview, "Your review"), ...errors },
    }),
    async (c) => {
      const p = requirePrincipal(c.get("principal"), "catalog:read");
      return c.json(await service.myReview(c.var.ctx, { userId: p.userId, slug: c.req.valid("param").slug }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/me/reviews",
      tags: tag,
      summary: "Every review you wrote, newest first",
      security: bearer,
      responses: { 200: json(z.object({ data: z.array(Review) }), "Your reviews"), ...authErrors },
    }),
    async (c) => {
      const p = requirePrincipal(c.get("principal"), "catalog:read");
      return c.json({ data: await service.listMyReviews(c.var.ctx, { userId: p.userId }) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/operator/review-reports",
      tags: ["Operator"],
      summary: "Reviews authors reported, newest first, with the reason, the review and its item (operator)",
      security: bearer,
      request: { query: PageQuery },
      responses: { 200: json(page(ReviewReport), "A page of reports"), ...authErrors },
    }),
    async (c) => {
      requireOperator(c.get("principal"), "catalog:read");
      return c.json(await listReviewReports(c.var.ctx, c.req.valid("query")), 200);
    },
  );
