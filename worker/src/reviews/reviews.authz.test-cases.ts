import { ANY_USER, type MatrixCase, OPERATOR_ONLY, ORG_ADMIN, ORG_READ, PUBLIC, succeedsWith } from "../../test/authz-matrix";
import { insertItem } from "../../test/catalog-fixtures";
import { getFreeItem } from "../../test/entitlement-fixtures";
import { reviewedItem } from "../../test/review-fixtures";

/** A fresh item the acting user holds (anon holds nothing and is refused before it matters). */
async function heldItem(orgId: string, user: Parameters<typeof getFreeItem>[0] | undefined) {
  const item = await insertItem(orgId);
  if (user) await getFreeItem(user, item.slug);
  return item;
}

export const reviewsMatrix: MatrixCase[] = [
  {
    route: "GET /v1/items/:slug/reviews",
    public: true,
    build: async (fx) => ({ method: "GET", path: `/v1/items/${(await insertItem(fx.orgId)).slug}/reviews` }),
    expected: PUBLIC,
  },
  {
    route: "POST /v1/items/:slug/reviews",
    scope: "catalog:write",
    build: async (fx, _actor, user) => ({
      method: "POST",
      path: `/v1/items/${(await heldItem(fx.orgId, user)).slug}/reviews`,
      options: { body: { rating: 5 } },
    }),
    expected: succeedsWith(ANY_USER, 201),
  },
  {
    route: "PATCH /v1/items/:slug/reviews/mine",
    scope: "catalog:write",
    build: async (fx, _actor, user) => {
      const slug = user ? (await reviewedItem(fx.orgId, user)).item.slug : (await insertItem(fx.orgId)).slug;
      return { method: "PATCH", path: `/v1/items/${slug}/reviews/mine`, options: { body: { rating: 2 } } };
    },
    expected: ANY_USER,
  },
  {
    route: "DELETE /v1/items/:slug/reviews/mine",
    scope: "catalog:write",
    build: async (fx, _actor, user) => {
      const slug = user ? (await reviewedItem(fx.orgId, user)).item.slug : (await insertItem(fx.orgId)).slug;
      return { method: "DELETE", path: `/v1/items/${slug}/reviews/mine` };
    },
    expected: succeedsWith(ANY_USER, 204),
  },
  {
    route: "POST /v1/orgs/:orgId/items/:itemId/reviews/:reviewId/reply",
    scope: "catalog:write",
    build: async (fx) => {
      const { item, review } = await reviewedItem(fx.orgId, fx.outsider);
      return {
        method: "POST",
        path: `/v1/orgs/${fx.orgId}/items/${item.id}/reviews/${review.id}/reply`,
        options: { body: { body: "Thanks!" } },
      };
    },
    expected: ORG_ADMIN,
  },
  {
    route: "PUT /v1/orgs/:orgId/items/:itemId/reviews/:reviewId/reply",
    scope: "catalog:write",
    build: async (fx) => {
      const { item, review } = await reviewedItem(fx.orgId, fx.outsider);
      return {
        method: "PUT",
        path: `/v1/orgs/${fx.orgId}/items/${item.id}/reviews/${review.id}/reply`,
        options: { body: { body: "Thanks!" } },
      };
    },
    expected: ORG_ADMIN,
  },
  {
    route: "POST /v1/orgs/:orgId/items/:itemId/reviews/:reviewId/report",
    scope: "catalog:write",
    build: async (fx) => {
      const { item, review } = await reviewedItem(fx.orgId, fx.outsider);
      return {
        method: "POST",
        path: `/v1/orgs/${fx.orgId}/items/${item.id}/reviews/${review.id}/report`,
        options: { body: { reason: "spam" } },
      };
    },
    expected: succeedsWith(ORG_ADMIN, 201),
  },
  {
    route: "GET /v1/orgs/:orgId/items/:itemId/reviews",
    scope: "catalog:read",
    build: async (fx) => ({
      method: "GET",
      path: `/v1/orgs/${fx.orgId}/items/${(await reviewedItem(fx.orgId, fx.outsider)).item.id}/reviews`,
    }),
    expected: ORG_READ,
  },
  {
    route: "GET /v1/items/:slug/reviews/mine",
    scope: "catalog:read",
    build: async (fx) => ({ method: "GET", path: `/v1/items/${(await insertItem(fx.orgId)).slug}/reviews/mine` }),
    expected: ANY_USER,
  },
  {
    route: "GET /v1/me/reviews",
    scope: "catalog:read",
    build: () => ({ method: "GET", path: "/v1/me/reviews" }),
    expected: ANY_USER,
  },
  {
    route: "GET /v1/operator/review-reports",
    scope: "catalog:read",
    build: () => ({ method: "GET", path: "/v1/operator/review-reports" }),
    expected: OPERATOR_ONLY,
  },
];
