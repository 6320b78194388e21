import { eq } from "drizzle-orm";
import { createDb } from "../db/client";
import { mailMessages } from "../db/schema";
import type { Env, MailQueueMessage } from "../env";
import { log } from "../http/log";
import { transportFor } from "./transport";

/**
 * Sends queued mail. Each message is acked or retried on its own, so one bad address never
 * re-sends the rest of the batch; a row already `sent` is acked without sending again.
 */
export async function consumeMail(batch: MessageBatch<MailQueueMessage>, env: Env) {
  const db = createDb(env.DB);
  const transport = transportFor(env);
  for (const message of batch.messages) {
    const row = await db.query.mailMessages.findFirst({ where: eq(mailMessages.id, message.body.messageId) });
    if (!row || row.status === "sent") {
      message.ack();
      continue;
    }
    try {
      await transport.send(row);
      await db.update(mailMessages).set({ status: "sent", sentAt: Date.now(), attempts: row.attempts + 1, lastError: null }).where(eq(mailMessages.id, row.id));
      message.ack();
    } catch (err) {
      const lastError = String(err).slice(0, 500);
      await db.update(mailMessages).set({ attempts: row.attempts + 1, lastError }).where(eq(mailMessages.id, row.id));
      log("warn", "mail send failed", { messageId: row.id, attempt: message.attempts, error: lastError });
      message.retry({ delaySeconds: Math.min(600, 10 * 2 ** message.attempts) });
    }
  }
}

/** Messages that exhausted their retries land here: mark them failed so they are visible. */
export async function consumeMailDeadLetters(batch: MessageBatch<MailQueueMessage>, env: Env) {
  const db = createDb(env.DB);
  for (const message of batch.messages) {
    await db.update(mailMessages).set({ status: "failed" }).where(eq(mailMessages.id, message.body.messageId));
    message.ack();
  }
}
