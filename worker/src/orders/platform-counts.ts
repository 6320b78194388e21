import { count } from "drizzle-orm";
import type { Db } from "../db/client";
import { orders } from "./tables";

/** Every org's orders counted by status, for the operator overview (a query for the caller's batch). */
export const orderCountsByStatus = (db: Db) => db.select({ status: orders.status, n: count() }).from(orders).groupBy(orders.status);
