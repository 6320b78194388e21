import { insertItem } from "../../test/catalog-fixtures";
import { OPERATOR_ONLY, type MatrixCase } from "../../test/authz-matrix";

export const moderationMatrix: MatrixCase[] = [
  {
    route: "POST /v1/operator/items/:itemId/moderation",
    build: async (fx) => ({
      method: "POST",
      path: `/v1/operator/items/${(await insertItem(fx.orgId)).id}/moderation`,
      options: { body: { action: "unlist", reason: "trademark complaint" } },
    }),
    expected: OPERATOR_ONLY,
  },
];
