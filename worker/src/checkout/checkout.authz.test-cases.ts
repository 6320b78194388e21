import { type MatrixCase, PUBLIC, succeedsWith } from "../../test/authz-matrix";
import { insertItem } from "../../test/catalog-fixtures";
import { insertCheckout } from "../../test/payment-fixtures";

export const checkoutMatrix: MatrixCase[] = [
  {
    // Anyone may start a checkout (guests by e-mail); this org cannot take charges yet, so all get 409.
    route: "POST /v1/items/:slug/checkout",
    scope: "payments:write",
    build: async (fx) => {
      const item = await insertItem(fx.orgId, { pricing: { model: "one_time", amount: 1000, currency: "usd" } });
      return { method: "POST", path: `/v1/items/${item.slug}/checkout`, options: { body: { email: "guest@example.test" } } };
    },
    expected: succeedsWith(PUBLIC, 409),
  },
  {
    // The unguessable checkout id is the capability: its success page is public.
    route: "GET /v1/checkouts/:checkoutId",
    public: true,
    build: async (fx) => ({ method: "GET", path: `/v1/checkouts/${await insertCheckout(fx.orgId)}` }),
    expected: PUBLIC,
  },
];
