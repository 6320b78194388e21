import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Append-only. `org_id` is null for events of a user alone (a login), shown to that user's orgs. */
export const auditEvents = sqliteTable(
  "audit_events",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id"),
    actorUserId: text("actor_user_id"),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    ip: text("ip"),
    requestId: text("request_id"),
    metadata: text("metadata", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("audit_org_idx").on(t.orgId, t.createdAt), index("audit_actor_idx").on(t.actorUserId, t.createdAt)],
);
