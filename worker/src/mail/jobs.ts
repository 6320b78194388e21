import { and, eq, inArray, lt } from "drizzle-orm";
import type { Job } from "../module";
import { enqueueMail } from "./outbox";
import { mailMessages } from "./tables";

/** Outbox safety net: mail written but never enqueued (or lost) is queued again after 5 minutes. */
export const requeueStaleMail: Job = async (ctx) => {
  const { db, now, batchSize } = ctx;
  const stale = await db
    .select({ id: mailMessages.id })
    .from(mailMessages)
    .where(and(eq(mailMessages.status, "queued"), lt(mailMessages.createdAt, now - 5 * 60_000)))
    .limit(batchSize);
  await enqueueMail(
    ctx,
    stale.map((m) => m.id),
  );
  return stale.length;
};

/** Sent mail is kept 30 days (support can see what went out), then deleted with its sealed body. */
export const SENT_MAIL_RETENTION_MS = 30 * 86_400_000;

export const purgeSentMail: Job = async ({ db, now, batchSize }) => {
  const old = db
    .select({ id: mailMessages.id })
    .from(mailMessages)
    .where(and(eq(mailMessages.status, "sent"), lt(mailMessages.sentAt, now - SENT_MAIL_RETENTION_MS)))
    .limit(batchSize);
  const deleted = await db.delete(mailMessages).where(inArray(mailMessages.id, old)).returning({ id: mailMessages.id });
  return deleted.length;
};
