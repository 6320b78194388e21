import { type SQL, sql } from "drizzle-orm";
import { sessions } from "./tables";

/** SQL: the session is the user's and live at `now` (not logged out, revoked or expired), decided when the statement runs. */
export const sessionIsLiveSql = (sessionId: string, userId: string, now: number): SQL =>
  sql`EXISTS (SELECT 1 FROM ${sessions} WHERE ${sessions.id} = ${sessionId} AND ${sessions.userId} = ${userId}
    AND ${sessions.revokedAt} IS NULL AND ${sessions.expiresAt} > ${now})`;
