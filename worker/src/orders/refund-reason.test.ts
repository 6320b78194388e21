import { beforeAll, expect, it } from "vitest";
import { createOrg, createUser, type TestUser } from "../../test/fixtures";
import { call } from "../../test/http";
import { buy, eventually, onboardSeller, paidItem, stripeEventsSettled, testStripe } from "../../test/payments";

let owner: TestUser;
let orgId: string;
beforeAll(async () => {
  owner = await createUser("refund-reason-owner");
  orgId = (await createOrg(owner)).id;
  await onboardSeller(owner, orgId);
});

it("a reason whose 450th code unit starts an emoji reaches Stripe cut before the emoji, not through it (was a URIError, 500)", async () => {
  const item = await paidItem(orgId, { model: "one_time", amount: 2500, currency: "usd" });
  const buyer = await createUser("refund-reason-buyer");
  await buy(item.slug, { buyer });
  await stripeEventsSettled();
  const order = await eventually(async () => (await call("GET", "/v1/me/orders", { token: buyer.accessToken })).body.data[0], "the order");

  const reason = `${"a".repeat(449)}😀`;
  const res = await call("POST", `/v1/orgs/${orgId}/orders/${order.id}/refund`, {
    token: owner.accessToken,
    body: { amount: 100, reason },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const refund = await testStripe().refunds.retrieve(res.body.refundId);
  expect(refund.metadata?.reason).toBe("a".repeat(449));
});
