import { eq } from "drizzle-orm";
import { truncateText } from "../../../shared/text";
import { backgroundContext, type Ctx } from "../context";
import { open } from "../crypto/secret-box";
import type { Env, MailQueueMessage } from "../env";
import { type ConsumerPolicy, consumeEach } from "../http/queue-consumer";
import type { Runtime } from "../module";
import { openBody, sealBody } from "./outbox";
import { mailMessages } from "./tables";
import { type MailTransport, transportFor } from "./transport";

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
 * re-sends the rest of the batch; a row already `sent` is acked without sending again. Mail
 * rendered when sent is rendered by the module that registered its template (`mailRenderers`).
 */
export async function consumeMail(batch: MessageBatch<MailQueueMessage>, env: Env, runtime: Runtime) {
  const transport = transportFor(env);
  await consumeEach(batch, MAIL_QUEUE, (body) =>
    send(backgroundContext(env, { requestId: body.messageId, handlers: runtime.events }), runtime, transport, body.messageId),
  );
}

async function send(ctx: Ctx, runtime: Runtime, transport: MailTransport, id: string) {
  const { db, env } = ctx;
  const [row] = await db.select().from(mailMessages).where(eq(mailMessages.id, id)).limit(1);
  if (!row || row.status === "sent") return;
  // Mail rendered at send time keeps what it sent, so the mailbox and support can see it.
  let rendered: Awaited<ReturnType<typeof sealBody>> | undefined;
  try {
    const body = row.template && row.payload ? await render(ctx, runtime, row.template, row.payload) : await openBody(env, row);
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

async function render(ctx: Ctx, runtime: Runtime, template: string, sealedData: string) {
  const renderer = runtime.mailRenderers[template];
  if (!renderer) throw new Error(`No module renders mail template "${template}"`);
  return renderer(ctx, await open(ctx.env.ENCRYPTION_KEYS, sealedData));
}

/** Messages that exhausted their retries land here: mark them failed so they are visible. */
export async function consumeMailDeadLetters(batch: MessageBatch<MailQueueMessage>, env: Env, runtime: Runtime) {
  const { db, events } = backgroundContext(env, { requestId: `mail-dlq_${Date.now()}`, handlers: runtime.events });
  await events.emit("queue.dead_lettered", batch);
  await consumeEach(batch, MAIL_DEAD_LETTERS, async (body) => {
    await db.update(mailMessages).set({ status: "failed" }).where(eq(mailMessages.id, body.messageId));
  });
}
