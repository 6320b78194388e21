import { count, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { checkouts } from "./tables";

/** Checkouts whose payment failed (an asynchronous debit), across orgs: a query for the caller's batch. */
export const failedCheckoutCount = (db: Db) => db.select({ n: count() }).from(checkouts).where(eq(checkouts.status, "failed"));
