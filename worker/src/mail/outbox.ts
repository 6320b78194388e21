import { newId } from "../crypto/random";
import type { Db } from "../db/client";
import { mailMessages } from "../db/schema";
import type { Env } from "../env";
import type { RenderedMail } from "./templates";

/**
 * E-mail is an outbox: the row is written in the same batch as the change that causes it, then
 * its id is queued. If the enqueue is lost, the maintenance job re-queues rows still `queued`.
 */
export function mailInsert(db: Db, to: string, mail: RenderedMail) {
  const id = newId("mail");
  return {
    id,
    insert: db.insert(mailMessages).values({ id, to, ...mail, status: "queued", createdAt: Date.now() }),
  };
}

export async function enqueueMail(env: Env, ids: string[]) {
  if (ids.length === 0) return;
  await env.MAIL_QUEUE.sendBatch(ids.map((messageId) => ({ body: { messageId } })));
}
