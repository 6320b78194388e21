import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import { sha256Hex } from "../crypto/hash";
import type { Db } from "../db/client";
import { stripeCustomers } from "../db/schema";

/**
 * The buyer's Stripe customer, created once per e-mail and reused by every later checkout. Two
 * concurrent first checkouts send the same idempotency key, so Stripe makes one customer.
 */
export async function customerFor(stripe: Stripe, db: Db, email: string): Promise<string> {
  const known = await db.query.stripeCustomers.findFirst({ where: eq(stripeCustomers.email, email) });
  if (known) return known.customerId;
  const customer = await stripe.customers.create(
    { email, metadata: { plaza: "buyer" } },
    { idempotencyKey: `customer:${await sha256Hex(email)}` },
  );
  await db.insert(stripeCustomers).values({ email, customerId: customer.id, createdAt: Date.now() }).onConflictDoNothing();
  return customer.id;
}
