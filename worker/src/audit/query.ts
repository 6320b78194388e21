import { and, type SQL } from "drizzle-orm";
import type { AuditEventT } from "../../../shared/api";
import type { Db } from "../db/client";
import { afterCursor, newestFirst, pageOf } from "../db/keyset";
import { auditEvents } from "./tables";

type AuditColumns = Pick<typeof auditEvents, "orgId" | "actorUserId">;

/**
 * A page of audit events, newest first, keyset-paginated on (created_at, id). The reader says
 * which events it may see and how an actor's e-mail is found (both over the events' columns):
 * audit sits below accounts and orgs, so it knows neither.
 */
export async function auditLogPage(
  db: Db,
  input: {
    visible: (columns: AuditColumns) => SQL | undefined;
    actorEmail: (actorUserId: AuditColumns["actorUserId"]) => SQL<string | null>;
    limit: number;
    cursor?: string;
  },
) {
  const rows = await db
    .select({ event: auditEvents, actorEmail: input.actorEmail(auditEvents.actorUserId) })
    .from(auditEvents)
    .where(and(input.visible(auditEvents), afterCursor(auditEvents, input.cursor)))
    .orderBy(...newestFirst(auditEvents))
    .limit(input.limit + 1);
  const { page, nextCursor } = pageOf(rows, input.limit, (r) => r.event);
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
