import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Outbox of e-mail: written with the change that causes it, then sent by the mail queue consumer. */
export const mailMessages = sqliteTable(
  "mail_messages",
  {
    id: text("id").primaryKey(),
    to: text("to").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    html: text("html").notNull(),
    status: text("status", { enum: ["queued", "sent", "failed"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    createdAt: integer("created_at").notNull(),
    sentAt: integer("sent_at"),
    /**
     * Set for mail rendered when it is sent (a receipt's download links must be fresh): the
     * template's name, and its data sealed (it carries the license key). Text and HTML are then
     * filled in by the consumer.
     */
    template: text("template", { enum: ["receipt"] }),
    payload: text("payload"),
    /** Bodies carry one-time links and keys: they are stored sealed (AES-256-GCM, ENCRYPTION_KEYS). */
    sealed: integer("sealed", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [index("mail_status_idx").on(t.status, t.createdAt)],
);
