import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { projects } from "../projects/tables";

/** Room events (member joined/left), keyed by the room's own `rev_` id so a retried POST records nothing twice. */
export const roomEvents = sqliteTable(
  "room_events",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    orgId: text("org_id").notNull(),
    type: text("type", { enum: ["member_joined", "member_left"] }).notNull(),
    userId: text("user_id").notNull(),
    role: text("role", { enum: ["read", "write"] }).notNull(),
    connectionId: text("connection_id").notNull(),
    at: integer("at").notNull(),
    receivedAt: integer("received_at").notNull(),
  },
  (t) => [index("room_events_project_idx").on(t.projectId, t.at)],
);

/**
 * Sockets a room admitted: the room asks the Worker on every connect, and the answer is recorded
 * here in the same statement that checks access, until the token's expiry (the socket closes then).
 * An access change finds here every room the user (or session) is in.
 */
export const roomAdmissions = sqliteTable(
  "room_admissions",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    orgId: text("org_id").notNull(),
    userId: text("user_id").notNull(),
    sessionId: text("session_id").notNull(),
    role: text("role", { enum: ["read", "write"] }).notNull(),
    connectionId: text("connection_id").notNull(),
    admittedAt: integer("admitted_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [
    index("room_admissions_user_idx").on(t.userId, t.expiresAt),
    index("room_admissions_session_idx").on(t.sessionId, t.expiresAt),
    index("room_admissions_project_idx").on(t.projectId, t.expiresAt),
    index("room_admissions_expires_idx").on(t.expiresAt),
  ],
);

/**
 * Rooms of deleted projects not yet torn down (every socket closed, storage deleted). Written in
 * the batch that deletes the project; removed once the room confirms; maintenance retries the rest.
 */
export const roomTeardowns = sqliteTable("room_teardowns", {
  projectId: text("project_id").primaryKey(),
  orgId: text("org_id").notNull(),
  requestedAt: integer("requested_at").notNull(),
  attempts: integer("attempts").notNull().default(0),
  lastAttemptAt: integer("last_attempt_at"),
  lastError: text("last_error"),
});
