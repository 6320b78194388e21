import { createRoute, z } from "@hono/zod-openapi";
import { OrgId } from "../../../shared/api";
import { AuthorItem, AuthorItemsQuery, ItemId } from "../../../shared/catalog";
import { requireOrgRole } from "../http/access";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, json, notFoundError } from "../http/openapi-helpers";
import { studioItem, studioItems } from "./items";

const OrgParams = z.object({ orgId: OrgId });

export const studioRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/orgs/{orgId}/studio/items",
      tags: ["Catalog: authors"],
      summary:
        "The org's items as the author studio lists them: every status (or one), newest version per channel, sales in the last 30 days",
      security: bearer,
      request: { params: OrgParams, query: AuthorItemsQuery },
      responses: {
        200: json(z.object({ data: z.array(AuthorItem) }), "Items, most recently changed first"),
        ...authErrors,
        ...notFoundError,
      },
    }),
    async (c) => {
      const access = requireOrgRole(c.get("principal"), c.req.valid("param").orgId, "member", "catalog:read");
      return c.json({ data: await studioItems(c.var.ctx, { orgId: access.orgId, ...c.req.valid("query") }) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/orgs/{orgId}/studio/items/{itemId}",
      tags: ["Catalog: authors"],
      summary: "One of the org's items as the author studio shows it (with an operator's moderation reason)",
      security: bearer,
      request: { params: OrgParams.extend({ itemId: ItemId }) },
      responses: { 200: json(AuthorItem, "The item"), ...authErrors, ...notFoundError },
    }),
    async (c) => {
      const { orgId, itemId } = c.req.valid("param");
      const access = requireOrgRole(c.get("principal"), orgId, "member", "catalog:read");
      return c.json(await studioItem(c.var.ctx, { orgId: access.orgId, itemId }), 200);
    },
  );
