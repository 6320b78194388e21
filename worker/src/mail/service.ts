/** What operators (and the dev mailbox) see of the outbox, and sending failed mail again. */
import { and, desc, eq } from "drizzle-orm";
import type { Ctx } from "../context";
import { AppError } from "../http/errors";
import { enqueueMail, openBody } from "./outbox";
import { mailMessages } from "./tables";

type MailStatus = (typeof mailMessages.$inferSelect)["status"];

const listed = {
  id: mailMessages.id,
  to: mailMessages.to,
  subject: mailMessages.subject,
  status: mailMessages.status,
  attempts: mailMessages.attempts,
  lastError: mailMessages.lastError,
  createdAt: mailMessages.createdAt,
  sentAt: mailMessages.sentAt,
};

/** Up to 100 messages in `status` (to one address), newest first, without their bodies. */
export function listMail(ctx: Ctx, input: { status: MailStatus; to?: string }) {
  return ctx.db
    .select(listed)
    .from(mailMessages)
    .where(and(eq(mailMessages.status, input.status), input.to ? eq(mailMessages.to, input.to) : undefined))
    .orderBy(desc(mailMessages.createdAt))
    .limit(100);
}

/** Queues a failed e-mail again with a fresh set of retries (a receipt is rendered afresh). */
export async function resendFailedMail(ctx: Ctx, input: { mailId: string }) {
  const { db } = ctx;
  const [requeued] = await db
    .update(mailMessages)
    .set({ status: "queued", lastError: null })
    .where(and(eq(mailMessages.id, input.mailId), eq(mailMessages.status, "failed")))
    .returning(listed);
  if (!requeued) {
    const [known] = await db.select({ status: mailMessages.status }).from(mailMessages).where(eq(mailMessages.id, input.mailId)).limit(1);
    if (!known) throw new AppError("not_found", "E-mail not found");
    throw new AppError("conflict", `Only failed e-mail can be re-sent; this one is ${known.status}`);
  }
  await enqueueMail(ctx, [requeued.id]);
  return requeued;
}

/** The newest messages with their bodies opened (the dev mailbox); mail rendered at send time shows empty until sent. */
export async function newestMail(ctx: Pick<Ctx, "env" | "db">, input: { limit: number }) {
  const rows = await ctx.db.select().from(mailMessages).orderBy(desc(mailMessages.createdAt)).limit(input.limit);
  return Promise.all(
    rows.map(async (row) => {
      const { payload: _sealedData, sealed: _sealed, ...shown } = row;
      return { ...shown, ...(await openBody(ctx.env, row)) };
    }),
  );
}
