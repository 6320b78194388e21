import { createRoute, z } from "@hono/zod-openapi";
import { Item, ItemId, ModerateBody } from "../../../shared/catalog";
import { requireOperator } from "../http/access";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, conflictError, json, jsonBody, notFoundError } from "../http/openapi-helpers";
import { moderateItem } from "./service";

export const moderationRoutes = createRouter().openapi(
  createRoute({
    method: "post",
    path: "/v1/operator/items/{itemId}/moderation",
    tags: ["Operator"],
    summary: "Unlist, remove or restore an item (operator); the reason is audited",
    security: bearer,
    request: { params: z.object({ itemId: ItemId }), ...jsonBody(ModerateBody) },
    responses: { 200: json(Item, "The item after moderation"), ...authErrors, ...notFoundError, ...conflictError },
  }),
  async (c) => {
    const operator = requireOperator(c.get("principal"));
    const { itemId } = c.req.valid("param");
    return c.json(await moderateItem(c.var.ctx, { operatorId: operator.userId, itemId, input: c.req.valid("json") }), 200);
  },
);
