import type { SQL } from "drizzle-orm";
import type { Ctx } from "../context";
import { newId } from "../crypto/random";
import { open, seal } from "../crypto/secret-box";
import { insertIf } from "../db/insert-if";
import type { Env } from "../env";
import { mailMessages } from "./tables";
import type { RenderedMail } from "./templates";

type MailRow = typeof mailMessages.$inferSelect;

/**
 * E-mail is an outbox: the row is written in the same batch as the change that causes it, then
 * its id is queued. If the enqueue is lost, the maintenance job re-queues rows still `queued`.
 * Bodies carry sign-in links, download links and license keys, so they are stored sealed. Pass
 * an id derived from the cause (and add ON CONFLICT DO NOTHING) to make the mail idempotent.
 */
export async function mailInsert({ env, db }: Pick<Ctx, "env" | "db">, input: { to: string; mail: RenderedMail; id?: string }) {
  const id = input.id ?? newId("mail");
  return {
    id,
    insert: db
      .insert(mailMessages)
      .values({ id, to: input.to, ...(await sealBody(env, input.mail)), status: "queued", createdAt: Date.now() }),
  };
}

/** `mailInsert` written only if `onlyIf` holds when the batch runs (a notice of a change that may be refused), once per id. */
export async function mailInsertIf(ctx: Pick<Ctx, "env" | "db">, input: { to: string; mail: RenderedMail; id: string; onlyIf: SQL }) {
  const row = { id: input.id, to: input.to, ...(await sealBody(ctx.env, input.mail)), status: "queued" as const, createdAt: Date.now() };
  return { id: input.id, insert: insertIf(ctx.db, mailMessages, row, input.onlyIf).onConflictDoNothing() };
}

export type MailTemplate = NonNullable<MailRow["template"]>;

/**
 * Mail rendered when it is sent (a module's `mailRenderers[template]` gets `data` back, opened),
 * so what it shows is fresh then. `data` is stored sealed: it may carry a license key. The row is
 * written only if `onlyIf` holds when the batch runs, once per id (ON CONFLICT DO NOTHING).
 */
export async function renderedOnSendMailInsert(
  { env, db }: Pick<Ctx, "env" | "db">,
  input: { id: string; to: string; subject: string; template: MailTemplate; data: string; onlyIf: SQL; now: number },
) {
  const row = {
    id: input.id,
    to: input.to,
    subject: input.subject,
    text: "",
    html: "",
    status: "queued" as const,
    createdAt: input.now,
    template: input.template,
    payload: await seal(env.ENCRYPTION_KEYS, input.data),
  };
  // In an object: an async function returning the query builder would await, i.e. run, it.
  return { insert: insertIf(db, mailMessages, row, input.onlyIf).onConflictDoNothing() };
}

export async function sealBody(env: Env, mail: RenderedMail) {
  const [text, html] = await Promise.all([seal(env.ENCRYPTION_KEYS, mail.text), seal(env.ENCRYPTION_KEYS, mail.html)]);
  return { subject: mail.subject, text, html, sealed: true };
}

/** A row's body in clear; empty for mail that is rendered when sent and was not sent yet. */
export async function openBody(env: Env, row: Pick<MailRow, "subject" | "text" | "html" | "sealed">): Promise<RenderedMail> {
  if (!row.sealed) return { subject: row.subject, text: row.text, html: row.html };
  const [text, html] = await Promise.all([open(env.ENCRYPTION_KEYS, row.text), open(env.ENCRYPTION_KEYS, row.html)]);
  return { subject: row.subject, text, html };
}

export async function enqueueMail({ env }: Pick<Ctx, "env">, ids: string[]) {
  if (ids.length === 0) return;
  await env.MAIL_QUEUE.sendBatch(ids.map((messageId) => ({ body: { messageId } })));
}
