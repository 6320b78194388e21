import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { NotificationChannelT, NotificationTypeT } from "../../../shared/notifications";
import { users } from "../auth/tables";

/** A user's in-app notifications; the id is derived from the cause and the user, so a replay writes none. */
export const notifications = sqliteTable(
  "notifications",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    type: text("type").$type<NotificationTypeT>().notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    link: text("link"),
    /** The org the event is about, if any (no foreign key: the notice outlives a deleted org). */
    orgId: text("org_id"),
    createdAt: integer("created_at").notNull(),
    readAt: integer("read_at"),
  },
  (t) => [
    index("notifications_user_created_idx").on(t.userId, t.createdAt, t.id),
    // The unread count (the bell, and every poll of the stream) reads only the unread rows.
    index("notifications_unread_idx").on(t.userId).where(sql`read_at IS NULL`),
  ],
);

/** Where a user wants each type; a type without a row gets its default (notifications/preferences.ts). */
export const notificationPreferences = sqliteTable(
  "notification_preferences",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    type: text("type").$type<NotificationTypeT>().notNull(),
    channel: text("channel").$type<NotificationChannelT>().notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.type] })],
);
