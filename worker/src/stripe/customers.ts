import { eq } from "drizzle-orm";
import type { Ctx } from "../context";
import { sha256Hex } from "../crypto/hash";
import { stripeFor } from "./client";
import { stripeCustomers } from "./tables";

/**
 * The buyer's Stripe customer, created once per e-mail and reused by every later checkout. Two
 * concurrent first checkouts send the same idempotency key, so Stripe makes one customer.
 */
export async function customerFor({ env, db }: Pick<Ctx, "env" | "db">, email: string): Promise<string> {
  const [known] = await db
    .select({ customerId: stripeCustomers.customerId })
    .from(stripeCustomers)
    .where(eq(stripeCustomers.email, email))
    .limit(1);
  if (known) return known.customerId;
  const customer = await stripeFor(env).customers.create(
    { email, metadata: { plaza: "buyer" } },
    { idempotencyKey: `customer:${await sha256Hex(email)}` },
  );
  await db.insert(stripeCustomers).values({ email, customerId: customer.id, createdAt: Date.now() }).onConflictDoNothing();
  return customer.id;
}
