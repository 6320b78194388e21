import { ANY_USER, type MatrixCase, OPERATOR_ONLY, succeedsWith } from "../../test/authz-matrix";
import { insertItem } from "../../test/catalog-fixtures";

export const moderationMatrix: MatrixCase[] = [
  {
    route: "POST /v1/operator/items/:itemId/moderation",
    scope: "catalog:write",
    build: async (fx) => ({
      method: "POST",
      path: `/v1/operator/items/${(await insertItem(fx.orgId)).id}/moderation`,
      options: { body: { action: "unlist", reason: "trademark complaint" } },
    }),
    expected: OPERATOR_ONLY,
  },
  {
    route: "POST /v1/items/:slug/report",
    scope: "catalog:write",
    // A fresh item each time: one open report per person and item.
    build: async (fx) => ({
      method: "POST",
      path: `/v1/items/${(await insertItem(fx.orgId)).slug}/report`,
      options: { body: { reason: "malware", details: "the bundle phones home" } },
    }),
    expected: succeedsWith(ANY_USER, 201),
  },
];
