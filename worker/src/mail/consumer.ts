import { eq } from "drizzle-orm";
import { truncateText } from "../../../shared/text";
import { createDb, type Db } from "../db/client";
import { mailMessages } from "../db/schema";
import type { Env, MailQueueMessage } from "../env";
import { type ConsumerPolicy, consumeEach } from "../http/queue-consumer";
import { renderReceipt } from "../receipts";
import { openBody, sealBody } from "./outbox";
import type { RenderedMail } from "./templates";
import { type MailTransport, transportFor } from "./transport";

/** Templates rendered when sent, by name (`mail_messages.template`). */
function renderTemplate(env: Env, db: Db, template: "receipt", payload: string): Promise<RenderedMail> {
  switch (template) {
    case "receipt":
      return renderReceipt({ env, db }, payload);
  }
}

/** Up to 5 retries (wrangler.toml), 20 s doubling to 10 min; then the dead-letter queue marks the mail failed. */
const MAIL_QUEUE: ConsumerPolicy<MailQueueMessage> = {
  queue: "plaza-mail",
  retry: { baseSeconds: 20, maxSeconds: 600, jitter: 0.2 },
  about: (body) => ({ mailId: body.messageId }),
};

const MAIL_DEAD_LETTERS: ConsumerPolicy<MailQueueMessage> = {
  queue: "plaza-mail-dlq",
  retry: { baseSeconds: 10, maxSeconds: 300, jitter: 0.2 },
  about: (body) => ({ mailId: body.messageId }),
};

/**
 * Sends queued mail. Each message is acked or retried on its own, so one bad address never
 * re-sends the rest of the batch; a row already `sent` is acked without sending again.
 */
export async function consumeMail(batch: MessageBatch<MailQueueMessage>, env: Env) {
  const db = createDb(env.DB);
  const transport = transportFor(env);
  await consumeEach(batch, MAIL_QUEUE, (body) => send(env, db, transport, body.messageId));
}

async function send(env: Env, db: Db, transport: MailTransport, id: string) {
  const row = await db.query.mailMessages.findFirst({ where: eq(mailMessages.id, id) });
  if (!row || row.status === "sent") return;
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
  } catch (err) {
    await db
      .update(mailMessages)
      .set({ attempts: row.attempts + 1, lastError: truncateText(String(err), 500), ...rendered })
      .where(eq(mailMessages.id, row.id));
    throw err;
  }
}

/** Messages that exhausted their retries land here: mark them failed so they are visible. */
export async function consumeMailDeadLetters(batch: MessageBatch<MailQueueMessage>, env: Env) {
  const db = createDb(env.DB);
  await consumeEach(batch, MAIL_DEAD_LETTERS, async (body) => {
    await db.update(mailMessages).set({ status: "failed" }).where(eq(mailMessages.id, body.messageId));
  });
}
