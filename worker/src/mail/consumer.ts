import { eq } from "drizzle-orm";
import { truncateText } from "../../../shared/text";
import { createDb, type Db } from "../db/client";
import { mailMessages } from "../db/schema";
import type { Env, MailQueueMessage } from "../env";
import { log } from "../http/log";
import { renderReceipt } from "../receipts/receipt-mail";
import { openBody, sealBody } from "./outbox";
import type { RenderedMail } from "./templates";
import { transportFor } from "./transport";

/** Templates rendered when sent, by name (`mail_messages.template`). */
function renderTemplate(env: Env, db: Db, template: "receipt", payload: string): Promise<RenderedMail> {
  switch (template) {
    case "receipt":
      return renderReceipt(env, db, payload);
  }
}

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
    // Mail rendered at send time keeps what it sent, so the mailbox and support can see it.
    let rendered: Awaited<ReturnType<typeof sealBody>> | undefined;
    try {
      const body = row.template && row.payload ? await renderTemplate(env, db, row.template, row.payload) : await openBody(env, row);
      if (row.template) rendered = await sealBody(env, body);
      await transport.send({ id: row.id, to: row.to, ...body });
      await db
        .update(mailMessages)
        .set({ status: "sent", sentAt: Date.now(), attempts: row.attempts + 1, lastError: null, ...rendered })
        .where(eq(mailMessages.id, row.id));
      message.ack();
    } catch (err) {
      const lastError = truncateText(String(err), 500);
      await db
        .update(mailMessages)
        .set({ attempts: row.attempts + 1, lastError, ...rendered })
        .where(eq(mailMessages.id, row.id));
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
