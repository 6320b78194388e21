import { and, count, desc, inArray, isNull, lt, lte, sql } from "drizzle-orm";
import { truncateText } from "../../../shared/text";
import type { EventHandler } from "../context";
import type { Db } from "../db/client";
import { deadLetters, operatorAlerts } from "./tables";

/** Dead letters and alert records older than this are deleted; the queues' own rows keep the domain's side. */
export const DEAD_LETTER_RETENTION_MS = 30 * 86_400_000;

/**
 * Each message of a dead-letter queue's batch, recorded once: a batch delivered again (its consumer
 * failed, or a message came back) adds nothing. Runs before the consumer acts on the batch, so a
 * failure to record retries the batch rather than losing the record.
 */
export const recordDeadLetters: EventHandler<"queue.dead_lettered"> = async ({ db }, { queue, messages }) => {
  if (messages.length === 0) return undefined;
  const recordedAt = Date.now();
  const rows = messages.map((m) => ({
    queue,
    messageId: m.id,
    about: truncateText(JSON.stringify(m.body) ?? "null", 200),
    attempts: m.attempts,
    recordedAt,
  }));
  // 6 columns a row: 16 rows keep a statement under D1's 100 bound parameters.
  for (let i = 0; i < rows.length; i += 16)
    await db
      .insert(deadLetters)
      .values(rows.slice(i, i + 16))
      .onConflictDoNothing();
  return undefined;
};

/** The newest dead letters, for the console. */
export const newestDeadLetters = (db: Db, limit: number) =>
  db.select().from(deadLetters).orderBy(desc(deadLetters.recordedAt), desc(deadLetters.messageId)).limit(limit);

const unalerted = (until: number) => and(isNull(deadLetters.alertedAt), lte(deadLetters.recordedAt, until));

/**
 * Dead letters recorded at or before `until` that no alert mentioned yet (on the partial index of
 * those): how many per queue and the oldest `listed`, so an outage's thousands stay one small read.
 */
export async function unalertedDeadLetters(db: Db, until: number, listed: number) {
  const [perQueue, oldest] = await db.batch([
    db.select({ queue: deadLetters.queue, n: count() }).from(deadLetters).where(unalerted(until)).groupBy(deadLetters.queue),
    db.select().from(deadLetters).where(unalerted(until)).orderBy(deadLetters.recordedAt).limit(listed),
  ]);
  return { perQueue, oldest, total: perQueue.reduce((sum, q) => sum + q.n, 0) };
}

export type UnalertedDeadLetters = Awaited<ReturnType<typeof unalertedDeadLetters>>;

/** The statement marking as alerted what `unalertedDeadLetters(db, until)` counted. */
export const markDeadLettersAlerted = (db: Db, until: number, at: number) =>
  db.update(deadLetters).set({ alertedAt: at }).where(unalerted(until));

/** Dead letters and alert records older than 30 days, `batchSize` of each at a time. */
export async function purgeOldAlerts(db: Db, now: number, batchSize: number): Promise<number> {
  const before = now - DEAD_LETTER_RETENTION_MS;
  // By rowid: a batch's messages share their recorded_at, so a limit on it would not bound the delete.
  const letters = await db
    .delete(deadLetters)
    .where(sql`rowid IN (SELECT rowid FROM ${deadLetters} WHERE ${deadLetters.recordedAt} < ${before} LIMIT ${batchSize})`)
    .returning({ id: deadLetters.messageId });
  const oldAlerts = db
    .select({ key: operatorAlerts.key })
    .from(operatorAlerts)
    .where(lt(operatorAlerts.createdAt, before))
    .limit(batchSize);
  const alerts = await db.delete(operatorAlerts).where(inArray(operatorAlerts.key, oldAlerts)).returning({ key: operatorAlerts.key });
  return letters.length + alerts.length;
}
