import { count, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { mailMessages } from "./tables";

/** Dead letters: mail the dead-letter queue marked `failed` after every retry. A query for the caller's batch. */
export const deadMailCount = (db: Db) => db.select({ n: count() }).from(mailMessages).where(eq(mailMessages.status, "failed"));
