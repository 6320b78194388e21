import { type MatrixCase, OPERATOR_ONLY } from "../../test/authz-matrix";
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
];
