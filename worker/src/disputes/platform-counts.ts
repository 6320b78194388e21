import { count, inArray } from "drizzle-orm";
import { OPEN_DISPUTE_STATUSES } from "../../../shared/disputes";
import type { Db } from "../db/client";
import { disputes } from "./tables";

/** Disputes still awaiting a response or a decision, across orgs: a query for the caller's batch. */
export const openDisputeCount = (db: Db) =>
  db
    .select({ n: count() })
    .from(disputes)
    .where(inArray(disputes.status, [...OPEN_DISPUTE_STATUSES]));
