import { count, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { stripeEvents } from "./tables";

/** Dead letters: Stripe events marked `failed` (retries exhausted or refused for good). A query for the caller's batch. */
export const deadStripeEventCount = (db: Db) => db.select({ n: count() }).from(stripeEvents).where(eq(stripeEvents.status, "failed"));
