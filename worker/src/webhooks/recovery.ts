/**
 * `recover`: an endpoint's failed and skipped deliveries since a time, sent again oldest event
 * first. Queues promise no order (and up to 10 consumers run at once), so a message per delivery,
 * even sent in order or with growing delays, may be attempted in any order or side by side. One
 * message walks the endpoint's deliveries instead, attempting each once the previous one's attempt
 * is recorded. A delivery stays failed or skipped until its turn, so a walk that is lost strands
 * nothing: recovering again sends the rest. One that fails on its turn goes on the usual retry
 * schedule while the walk goes on. Two walks of one endpoint at once (recover asked twice) still
 * send each delivery once (its claim is one guarded UPDATE), but may interleave.
 */
import { and, asc, count, eq, exists, gte, inArray, lte, sql } from "drizzle-orm";
import type { Ctx } from "../context";
import type { Db } from "../db/client";
import type { RecoveryMessage } from "../env";
import { attemptDeliveries, BATCH_BUDGET_MS, type DeliveryOutcome, ERROR_RETRY_SECONDS } from "./delivery";
import { enqueueDeliveries, enqueueRecovery } from "./outbox";
import { webhookDeliveries, webhookEndpoints, webhookEvents } from "./tables";

type WebhooksCtx = Pick<Ctx, "env" | "db">;

/** Deliveries read per query of the walk, then attempted one by one. */
const WALK_PAGE = 50;

/** What a walk still has to send: failed or skipped since `since`, as they were when recover was asked. */
const stillToSend = (walk: RecoveryMessage) =>
  and(
    eq(webhookDeliveries.endpointId, walk.id),
    inArray(webhookDeliveries.status, ["failed", "skipped"]),
    gte(webhookDeliveries.createdAt, walk.since),
    lte(webhookDeliveries.updatedAt, walk.askedAt),
  );

/** Starts recovering an enabled endpoint's deliveries created since `since`; answers how many it will send. */
export async function startRecovery({ env, db }: WebhooksCtx, { endpointId, since }: { endpointId: string; since: number }) {
  const walk: RecoveryMessage = { kind: "recovery", id: endpointId, since, askedAt: Date.now() };
  const [found] = await db.select({ n: count() }).from(webhookDeliveries).where(stillToSend(walk));
  if (found!.n > 0) await enqueueRecovery(env, walk);
  return found!.n;
}

/** The next deliveries in turn: oldest event first, events of one millisecond by id (the same order every time). */
const nextInLine = (db: Db, walk: RecoveryMessage) =>
  db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(stillToSend(walk))
    .orderBy(asc(webhookEvents.createdAt), asc(webhookEvents.id))
    .limit(WALK_PAGE);

const enabledEndpoint = (db: Db, endpointId: string) =>
  db
    .select({ one: sql`1` })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, endpointId), eq(webhookEndpoints.enabled, true)));

/** Makes the delivery pending for its turn, if it is still to send and the endpoint still enabled. */
async function claim(db: Db, walk: RecoveryMessage, deliveryId: string) {
  const claimed = await db
    .update(webhookDeliveries)
    .set({ status: "pending", leasedUntil: null, updatedAt: Date.now() })
    .where(and(eq(webhookDeliveries.id, deliveryId), stillToSend(walk), exists(enabledEndpoint(db, walk.id))))
    .returning({ id: webhookDeliveries.id });
  return claimed.length > 0;
}

/**
 * Attempts one pending delivery now. A failure goes on the usual retry schedule; answers the
 * seconds to wait when it could not be attempted yet (over the endpoint's rate limit).
 */
async function attemptInTurn(ctx: WebhooksCtx, deliveryId: string): Promise<number | undefined> {
  const { env } = ctx;
  let outcome: DeliveryOutcome;
  try {
    outcome = (await attemptDeliveries(ctx, [deliveryId])).get(deliveryId)!;
  } catch (err) {
    // Claimed but not attempted: queued on its own rather than left pending with no message.
    await enqueueDeliveries(env, [deliveryId], ERROR_RETRY_SECONDS);
    throw err;
  }
  if (outcome.kind === "retry") await enqueueDeliveries(env, [deliveryId], outcome.delaySeconds);
  return outcome.kind === "later" ? outcome.delaySeconds : undefined;
}

/**
 * Sends the walk's deliveries in turn until none is left (answers undefined), the endpoint is
 * disabled again, or the budget is spent. Answers the message that goes on with the walk, and when.
 */
export async function walkRecovery(
  ctx: WebhooksCtx,
  message: RecoveryMessage,
  budgetMs = BATCH_BUDGET_MS,
): Promise<{ message: RecoveryMessage; delaySeconds: number } | undefined> {
  const { db } = ctx;
  const until = Date.now() + budgetMs;
  const { head, ...walk } = message;
  if (head !== undefined) {
    const wait = await attemptInTurn(ctx, head);
    if (wait !== undefined) return { message, delaySeconds: wait };
  }
  while (Date.now() < until) {
    const line = await nextInLine(db, walk);
    if (line.length === 0) return undefined;
    for (const { id } of line) {
      if (Date.now() >= until) break;
      if (!(await claim(db, walk, id))) {
        // Someone else sent it (a resend, another walk), or the endpoint was disabled again: then stop.
        if ((await enabledEndpoint(db, walk.id)).length === 0) return undefined;
        continue;
      }
      const wait = await attemptInTurn(ctx, id);
      if (wait !== undefined) return { message: { ...walk, head: id }, delaySeconds: wait };
    }
  }
  return { message: walk, delaySeconds: 0 };
}
