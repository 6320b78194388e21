import { env } from "cloudflare:workers";
import { ANY_USER, type MatrixCase, ORG_ADMIN, ORG_READ, succeedsWith } from "../../test/authz-matrix";
import { insertItem } from "../../test/catalog-fixtures";
import { insertSubscription } from "../../test/payment-fixtures";

/** The owner's own ended subscription: only they find it (and cannot cancel an ended one); others get 404. */
const OWN_ENDED = { anon: 401, outsider: 404, member: 404, admin: 404, owner: 409, operator: 404 };
const metered = (orgId: string) => insertItem(orgId, { pricing: { model: "metered", amount: 2, currency: "usd", unit: "call" } });

export const billingMatrix: MatrixCase[] = [
  {
    route: "GET /v1/me/subscriptions",
    scope: "payments:read",
    build: () => ({ method: "GET", path: "/v1/me/subscriptions" }),
    expected: ANY_USER,
  },
  {
    route: "POST /v1/me/subscriptions/:subscriptionId/cancel",
    scope: "payments:write",
    build: async (fx) => ({
      method: "POST",
      path: `/v1/me/subscriptions/${await insertSubscription(fx.orgId, fx.owner.id, "canceled")}/cancel`,
    }),
    expected: OWN_ENDED,
  },
  {
    route: "POST /v1/me/subscriptions/:subscriptionId/resume",
    scope: "payments:write",
    build: async (fx) => ({
      method: "POST",
      path: `/v1/me/subscriptions/${await insertSubscription(fx.orgId, fx.owner.id, "canceled")}/resume`,
    }),
    expected: OWN_ENDED,
  },
  {
    route: "POST /v1/me/subscriptions/:subscriptionId/plan",
    scope: "payments:write",
    build: async (fx) => ({
      method: "POST",
      path: `/v1/me/subscriptions/${await insertSubscription(fx.orgId, fx.owner.id, "canceled")}/plan`,
      options: { body: { interval: "year" } },
    }),
    expected: OWN_ENDED,
  },
  {
    route: "POST /v1/me/subscriptions/:subscriptionId/plan/preview",
    scope: "payments:read",
    build: async (fx) => ({
      method: "POST",
      path: `/v1/me/subscriptions/${await insertSubscription(fx.orgId, fx.owner.id, "canceled")}/plan/preview`,
      options: { body: { interval: "year" } },
    }),
    expected: OWN_ENDED,
  },
  {
    // Nobody here subscribes to the item: every signed-in caller is told so.
    route: "POST /v1/items/:slug/usage",
    scope: "payments:write",
    build: async (fx) => ({
      method: "POST",
      path: `/v1/items/${(await metered(fx.orgId)).slug}/usage`,
      options: { body: { quantity: 1, key: "k1" } },
    }),
    expected: succeedsWith(ANY_USER, 409),
  },
  {
    route: "GET /v1/items/:slug/credits",
    scope: "payments:read",
    build: async (fx) => ({ method: "GET", path: `/v1/items/${(await metered(fx.orgId)).slug}/credits` }),
    expected: ANY_USER,
  },
  {
    route: "POST /v1/orgs/:orgId/items/:itemId/credits",
    scope: "payments:write",
    build: async (fx) => ({
      method: "POST",
      path: `/v1/orgs/${fx.orgId}/items/${(await metered(fx.orgId)).id}/credits`,
      options: { body: { userId: fx.outsider.id, amount: 10, reason: "matrix", reference: crypto.randomUUID() } },
    }),
    expected: succeedsWith(ORG_ADMIN, 201),
  },
  {
    // The outsider subscribes to the org's item, so the org's members find them by e-mail.
    route: "GET /v1/orgs/:orgId/items/:itemId/credits",
    scope: "payments:read",
    build: async (fx) => {
      const subscriptionId = await insertSubscription(fx.orgId, fx.outsider.id);
      const { item_id } = (await env.DB.prepare("SELECT item_id FROM subscriptions WHERE id = ?")
        .bind(subscriptionId)
        .first<{ item_id: string }>())!;
      return { method: "GET", path: `/v1/orgs/${fx.orgId}/items/${item_id}/credits?email=${encodeURIComponent(fx.outsider.email)}` };
    },
    expected: ORG_READ,
  },
  { route: "GET /v1/me/usage", scope: "payments:read", build: () => ({ method: "GET", path: "/v1/me/usage" }), expected: ANY_USER },
  {
    // The owner's ended subscription has nothing to manage: Stripe is never asked.
    route: "POST /v1/me/billing-portal",
    scope: "payments:write",
    build: async (fx) => ({
      method: "POST",
      path: "/v1/me/billing-portal",
      options: { body: { subscriptionId: await insertSubscription(fx.orgId, fx.owner.id, "canceled") } },
    }),
    expected: OWN_ENDED,
  },
];
