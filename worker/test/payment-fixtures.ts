import { env } from "cloudflare:workers";
import { derivedId, newId } from "../src/crypto/random";
import { createDb } from "../src/db/client";
import { checkouts, orderItems, orders, subscriptions } from "../src/db/schema";
import { insertItem } from "./catalog-fixtures";

/**
 * Rows written straight into D1 for tests of what reads them (authorization, listings). Tests of
 * how they come to exist go through checkout and Stripe events instead.
 */
export async function insertOrder(orgId: string, userId: string, overrides: Partial<typeof orders.$inferInsert> = {}) {
  const db = createDb(env.DB);
  const item = await insertItem(orgId, { pricing: { model: "one_time", amount: 1000, currency: "usd" } });
  const id = newId("order");
  const row = {
    id,
    sourceId: `cs_test_${id}`,
    kind: "purchase" as const,
    orgId,
    userId,
    email: "buyer@example.test",
    status: "paid" as const,
    amount: 1000,
    feeAmount: 130,
    currency: "usd",
    paymentIntentId: `pi_${id}`,
    createdAt: Date.now(),
    ...overrides,
  };
  await db.batch([
    db.insert(orders).values(row),
    db.insert(orderItems).values({ orderId: id, itemId: item.id, orgId, quantity: 1, amount: row.amount }),
  ]);
  return { ...row, item };
}

export async function insertCheckout(orgId: string) {
  const db = createDb(env.DB);
  const item = await insertItem(orgId, { pricing: { model: "one_time", amount: 1000, currency: "usd" } });
  const id = newId("checkout");
  await db.insert(checkouts).values({
    id,
    sessionId: `cs_test_${id}`,
    orgId,
    itemId: item.id,
    email: "guest@example.test",
    mode: "payment",
    priceId: "price_x",
    amount: 1000,
    currency: "usd",
    feeAmount: 130,
    status: "open",
    createdAt: Date.now(),
  });
  return id;
}

export async function insertSubscription(orgId: string, userId: string, status = "active") {
  const db = createDb(env.DB);
  const item = await insertItem(orgId, { pricing: { model: "subscription", amount: 500, currency: "usd", interval: "month" } });
  const id = await derivedId("subscription", `sub_${crypto.randomUUID()}`);
  const now = Date.now();
  await db.insert(subscriptions).values({
    id,
    stripeSubscriptionId: `sub_${id}`,
    orgId,
    itemId: item.id,
    userId,
    customerId: "cus_x",
    status,
    currentPeriodEnd: now + 86_400_000,
    cancelAtPeriodEnd: false,
    createdAt: now,
    updatedAt: now,
  });
  return id;
}
