import { and, eq, inArray, isNull, or } from "drizzle-orm";
import type { AuditEventT } from "../../../shared/api";
import type { Db } from "../db/client";
import { afterCursor, newestFirst, pageOf } from "../db/keyset";
import { auditEvents, memberships, users } from "../db/schema";

/**
 * The org's own events plus account events (logins, tokens) of its current members, newest first,
 * keyset-paginated on (created_at, id).
 */
export async function orgAuditLog(db: Db, orgId: string, limit: number, cursor?: string) {
  const members = db.select({ userId: memberships.userId }).from(memberships).where(eq(memberships.orgId, orgId));
  const rows = await db
    .select({ event: auditEvents, actorEmail: users.email })
    .from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.actorUserId))
    .where(
      and(
        or(eq(auditEvents.orgId, orgId), and(isNull(auditEvents.orgId), inArray(auditEvents.actorUserId, members))),
        afterCursor(auditEvents, cursor),
      ),
    )
    .orderBy(...newestFirst(auditEvents))
    .limit(limit + 1);
  const { page, nextCursor } = pageOf(rows, limit, (r) => r.event);
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
  return { data, nextCursor };
}
