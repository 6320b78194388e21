import { createRoute, z } from "@hono/zod-openapi";
import { OrgId } from "../../../shared/api";
import { AuthorItem, AuthorItemsQuery } from "../../../shared/catalog";
import { requireOrgRole } from "../http/access";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, json, notFoundError } from "../http/openapi-helpers";
import { studioItems } from "./items";

export const studioRoutes = createRouter().openapi(
  createRoute({
    method: "get",
    path: "/v1/orgs/{orgId}/studio/items",
    tags: ["Catalog: authors"],
    summary:
      "The org's items as the author studio lists them: every status (or one), newest version per channel, sales in the last 30 days",
    security: bearer,
    request: { params: z.object({ orgId: OrgId }), query: AuthorItemsQuery },
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
);
