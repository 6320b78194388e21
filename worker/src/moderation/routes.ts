import { createRoute, z } from "@hono/zod-openapi";
import { Item, ItemId, ItemSlug, ModerateBody } from "../../../shared/catalog";
import { ItemReportBody, ItemReportReceipt } from "../../../shared/operator";
import { requireOperator, requirePrincipal } from "../http/access";
import { createRouter } from "../http/openapi";
import { authErrors, bearer, conflictError, json, jsonBody, notFoundError } from "../http/openapi-helpers";
import { reportItem } from "./reports";
import { moderateItem } from "./service";

export const moderationRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/operator/items/{itemId}/moderation",
      tags: ["Operator"],
      summary: "Unlist, remove or restore an item (operator); the reason is audited, and the item's open reports are resolved",
      security: bearer,
      request: { params: z.object({ itemId: ItemId }), ...jsonBody(ModerateBody) },
      responses: { 200: json(Item, "The item after moderation"), ...authErrors, ...notFoundError, ...conflictError },
    }),
    async (c) => {
      const operator = requireOperator(c.get("principal"));
      const { itemId } = c.req.valid("param");
      return c.json(await moderateItem(c.var.ctx, { operatorId: operator.userId, itemId, input: c.req.valid("json") }), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/items/{slug}/report",
      tags: ["Moderation"],
      summary: "Report an item to the operators (spam, malware, copyright...); once per person while the report is open",
      security: bearer,
      request: { params: z.object({ slug: ItemSlug }), ...jsonBody(ItemReportBody) },
      responses: {
        201: json(ItemReportReceipt, "The report the item's open case now holds"),
        ...authErrors,
        ...notFoundError,
        ...conflictError,
      },
    }),
    async (c) => {
      const p = requirePrincipal(c.get("principal"), "catalog:write");
      const { slug } = c.req.valid("param");
      return c.json(await reportItem(c.var.ctx, { userId: p.userId, slug, input: c.req.valid("json") }), 201);
    },
  );
