import { and, desc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import type { AuditEventT } from "../../../shared/api";
import type { Db } from "../db/client";
import { auditEvents, memberships, users } from "../db/schema";
import { AppError } from "../http/errors";

interface CursorPosition {
  createdAt: number;
  id: string;
}

export function encodeCursor(position: CursorPosition): string {
  return btoa(`${position.createdAt}:${position.id}`);
}

export function decodeCursor(cursor: string): CursorPosition {
  try {
    const [createdAt, id] = atob(cursor).split(":");
    if (!createdAt || !id || !/^\d+$/.test(createdAt)) throw new Error("shape");
    return { createdAt: Number(createdAt), id };
  } catch {
    throw new AppError("invalid_request", "The cursor is not valid", { fields: { "query.cursor": ["is not valid"] } });
  }
}

/**
 * The org's own events plus account events (logins, tokens) of its current members, newest first,
 * keyset-paginated on (created_at, id).
 */
export async function orgAuditLog(db: Db, orgId: string, limit: number, cursor?: string) {
  const after = cursor ? decodeCursor(cursor) : undefined;
  const members = db.select({ userId: memberships.userId }).from(memberships).where(eq(memberships.orgId, orgId));
  const rows = await db
    .select({ event: auditEvents, actorEmail: users.email })
    .from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.actorUserId))
    .where(
      and(
        or(eq(auditEvents.orgId, orgId), and(isNull(auditEvents.orgId), inArray(auditEvents.actorUserId, members))),
        after
          ? or(lt(auditEvents.createdAt, after.createdAt), and(eq(auditEvents.createdAt, after.createdAt), lt(auditEvents.id, after.id)))
          : sql`1 = 1`,
      ),
    )
    .orderBy(desc(auditEvents.createdAt), desc(auditEvents.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const data: AuditEventT[] = page.map(({ event, actorEmail }) => ({
    id: event.id,
    action: event.action,
    actorUserId: event.actorUserId,
    actorEmail,
    targetType: event.targetType,
    targetId: event.targetId,
    ip: event.ip,
    metadata: event.metadata,
    createdAt: event.createdAt,
  }));
  return { data, nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.event.createdAt, id: last.event.id }) : null };
}
