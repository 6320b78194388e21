/**
 * Delivery attempts, one queue batch (up to 100) at a time: one D1 batch that leases the
 * deliveries and reads them with their events and endpoints (then, only for rate-limited or
 * disabled endpoints, one call per rate-limited endpoint to its rate-limit Durable Object that
 * takes its hits, and one D1 batch that leases what they admitted); every leased delivery POSTed,
 * signed, within 15 seconds, 6 at a time shared fairly between endpoints, none started after 30
 * seconds; one D1 batch that records every attempt in a few statements. The caller (the queue consumer) turns each delivery's outcome into
 * an ack or a delayed retry.
 *
 * A duplicate queue message never makes a second attempt at the same time: a delivery is leased
 * first (one guarded UPDATE), and attempt numbers are unique per delivery.
 */
import { and, type Column, eq, exists, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Webhook } from "standardwebhooks";
import { truncateText, truncateUtf8 } from "../../../shared/text";
import type { Ctx } from "../context";
import { newId } from "../crypto/random";
import { currentKeyId } from "../crypto/secret-box";
import type { Db } from "../db/client";
import { insertRowsIgnoringConflicts, jsonRowsAs, qualified } from "../db/json-rows";
import type { Env } from "../env";
import { log } from "../http/log";
import { type RetryPolicy, retryDelaySeconds } from "../http/queue-consumer";
import { counter, type RateLimitEnv, takeHits } from "../http/rate-limit";
import { enqueueMail, webhookDisabledMail } from "../mail";
import { notificationStatements } from "../notifications";
import { runInFairSlots } from "./fair-slots";
import { WEBHOOK_LOG_RETENTION_DAYS } from "./retention";
import { openSigners, signatureWith } from "./signing";
import { webhookAttempts, webhookDeliveries, webhookEndpoints, webhookEvents } from "./tables";

export const DELIVERY_TIMEOUT_MS = 15_000;
/**
 * Delays before the 2nd, 3rd, 4th and 5th attempt, plus up to 20% jitter (a product contract: the
 * README's Delivery); after the 5th the message goes to the DLQ. The webhooks queue's retry policy.
 */
export const DELIVERY_RETRY: RetryPolicy = { scheduleSeconds: [1, 5, 60, 3600], jitter: 0.2 };
/** When disabling an endpoint or queueing a recovery's delivery failed: try again soon. */
export const ERROR_RETRY_SECONDS = 5;
export const FAILING_DISABLE_MS = 5 * 86_400_000;
const RESPONSE_LOG_BYTES = 2048;
/**
 * No delivery of a batch starts later than this after the batch did: behind a slow endpoint the
 * rest go back to the queue (spending no attempt) rather than wait minutes in a full batch.
 */
export const BATCH_BUDGET_MS = 30_000;
/** Held while a batch runs: its last fetch may start at the budget's end and take the timeout, then it is recorded. */
const LEASE_MS = BATCH_BUDGET_MS + DELIVERY_TIMEOUT_MS + 15_000;
const RATE_WINDOW_MS = 1000;
const RATE_LIMIT_KEY_PREFIX = "webhook:";

export type DeliveryOutcome =
  | { kind: "done" }
  /** Failed: retry through the queue after `delaySeconds` (counts as an attempt). */
  | { kind: "retry"; delaySeconds: number }
  /** Not attempted now (leased by another consumer, or over the endpoint's rate): send again later. */
  | { kind: "later"; delaySeconds: number };

type Found = Awaited<ReturnType<typeof loadDeliveries>>[number];
type Endpoint = Found["endpoint"];
type Leased = Found & { attempt: number };
interface Answer {
  statusCode: number | null;
  response: string | null;
  error: string | null;
  retryAfter?: number;
  latencyMs: number;
  at: number;
}
type Attempted = Leased & { answer: Answer; ok: boolean; gone: boolean };

const DONE: DeliveryOutcome = { kind: "done" };
const OVER_RATE_LIMIT: DeliveryOutcome = { kind: "later", delaySeconds: Math.ceil(RATE_WINDOW_MS / 1000) };
const LEASED_ELSEWHERE: DeliveryOutcome = { kind: "later", delaySeconds: Math.ceil(LEASE_MS / 1000) };
const OUT_OF_BUDGET: DeliveryOutcome = { kind: "later", delaySeconds: 0 };

/** `Retry-After` in seconds (delta or HTTP date), if the answer had one. */
export function retryAfterOf(res: Response, now = Date.now()): number | undefined {
  const value = res.headers.get("retry-after");
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

async function readHead(res: Response) {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < RESPONSE_LOG_BYTES) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => {});
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return truncateUtf8(bytes, RESPONSE_LOG_BYTES);
}

/**
 * A Worker invocation waits on at most 6 connections at once; more fetches would queue inside the
 * runtime with their 15 s timeout already running, and be logged as timeouts never sent.
 */
const MAX_FETCHES_IN_FLIGHT = 6;

/** Any number of ids as one JSON parameter, so the statement stays under D1's parameter limit. */
const isOneOf = (column: Column, ids: string[]) => sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;

/**
 * Attempts the given deliveries (distinct ids) and answers each one's outcome. Throws only before
 * anything was recorded or when recording failed, so the caller may retry every message then.
 */
export async function attemptDeliveries(
  ctx: Pick<Ctx, "env" | "db">,
  deliveryIds: string[],
  { now = Date.now(), budgetMs = BATCH_BUDGET_MS }: { now?: number; budgetMs?: number } = {},
): Promise<Map<string, DeliveryOutcome>> {
  const { env, db } = ctx;
  // A bad ENCRYPTION_KEYS throws here, before anything is leased: no endpoint is charged failed
  // attempts (and, after 5 days of them, disabled) for Plaza's own configuration.
  await currentKeyId(env.ENCRYPTION_KEYS);
  const outcomes = new Map<string, DeliveryOutcome>(deliveryIds.map((id) => [id, DONE]));
  const leased = await claimDeliveries(ctx, deliveryIds, outcomes, now);
  if (leased.length === 0) return outcomes;
  const signers = signersByEndpoint(env, leased, now);
  const { results: attempted, unstarted } = await runInFairSlots(
    leased,
    (l) => l.endpoint.id,
    MAX_FETCHES_IN_FLIGHT,
    (l) => post(env, l, signers),
    () => Date.now() < now + budgetMs,
  );
  const [first, ...rest] = [...recordStatements(db, attempted), ...(unstarted.length ? [releaseLeases(db, unstarted, now)] : [])];
  await db.batch([first!, ...rest]);
  const disabling = await disableFailingEndpoints(ctx, attempted);
  for (const a of attempted) outcomes.set(a.delivery.id, outcomeOf(a, disabling.get(a.endpoint.id)));
  for (const u of unstarted) outcomes.set(u.delivery.id, OUT_OF_BUDGET);
  return outcomes;
}

/** The leases of deliveries the batch had no time for, given back with the attempt they did not make. */
function releaseLeases(db: Db, unstarted: Leased[], now: number) {
  return db
    .update(webhookDeliveries)
    .set({ leasedUntil: null, attempts: sql`${webhookDeliveries.attempts} - 1`, updatedAt: now })
    .where(
      and(
        isOneOf(
          webhookDeliveries.id,
          unstarted.map((u) => u.delivery.id),
        ),
        eq(webhookDeliveries.status, "pending"),
      ),
    );
}

/**
 * Leases what can be attempted now and answers it. Sets `outcomes` for the pending deliveries
 * that cannot be: over their endpoint's rate, or leased by another consumer.
 */
async function claimDeliveries(
  { env, db }: Pick<Ctx, "env" | "db">,
  deliveryIds: string[],
  outcomes: Map<string, DeliveryOutcome>,
  now: number,
): Promise<Leased[]> {
  const { found, attempts } = await leaseUnlimitedAndLoad(db, deliveryIds, now);
  const leasedAtOnce = found.filter((f) => attempts.has(f.delivery.id)).map((f) => ({ ...f, attempt: attempts.get(f.delivery.id)! }));
  const waiting = found.filter((f) => f.delivery.status === "pending" && !attempts.has(f.delivery.id));
  const disabled = waiting.filter((f) => !f.endpoint.enabled);
  const { admitted, overLimit } = await admitUnderRateLimits(
    env,
    waiting.filter((f) => f.endpoint.enabled && f.endpoint.rateLimit),
    now,
  );
  for (const f of waiting) if (f.endpoint.enabled && !f.endpoint.rateLimit) outcomes.set(f.delivery.id, LEASED_ELSEWHERE);
  for (const f of overLimit) outcomes.set(f.delivery.id, OVER_RATE_LIMIT);
  const leasedUnderLimit = admitted.length || disabled.length ? await leaseAdmitted(db, admitted, disabled, now) : [];
  const leasedUnderLimitIds = new Set(leasedUnderLimit.map((l) => l.delivery.id));
  for (const f of admitted) if (!leasedUnderLimitIds.has(f.delivery.id)) outcomes.set(f.delivery.id, LEASED_ELSEWHERE);
  return [...leasedAtOnce, ...leasedUnderLimit];
}

/** Leases every pending, unleased delivery among `ids` (counting an attempt each); answers their attempt numbers. */
function leaseStatement(db: Db, ids: string[], now: number, onlyEndpoints?: SQL) {
  return db
    .update(webhookDeliveries)
    .set({ leasedUntil: now + LEASE_MS, attempts: sql`${webhookDeliveries.attempts} + 1`, updatedAt: now })
    .where(
      and(
        isOneOf(webhookDeliveries.id, ids),
        eq(webhookDeliveries.status, "pending"),
        or(isNull(webhookDeliveries.leasedUntil), lt(webhookDeliveries.leasedUntil, now)),
        onlyEndpoints,
      ),
    )
    .returning({ id: webhookDeliveries.id, attempts: webhookDeliveries.attempts });
}

/**
 * One D1 round trip for the common case: lease the deliveries to enabled endpoints without a rate
 * limit, then read every delivery with its event and endpoint (sealed secrets included). The
 * others are sorted out from what was read.
 */
async function leaseUnlimitedAndLoad(db: Db, deliveryIds: string[], now: number) {
  const unlimitedEndpoint = exists(
    db
      .select({ one: sql`1` })
      .from(webhookEndpoints)
      .where(
        and(eq(webhookEndpoints.id, webhookDeliveries.endpointId), eq(webhookEndpoints.enabled, true), isNull(webhookEndpoints.rateLimit)),
      ),
  );
  const [leasedRows, found] = await db.batch([leaseStatement(db, deliveryIds, now, unlimitedEndpoint), loadDeliveries(db, deliveryIds)]);
  return { found, attempts: new Map(leasedRows.map((r) => [r.id, r.attempts])) };
}

/**
 * The deliveries with their events and endpoints (sealed secrets included), in one statement.
 * Inside `db.batch` D1 answers rows as objects, so no two selected columns may share a name: the
 * endpoint's and event's ids come from the delivery row.
 */
function loadDeliveries(db: Db, deliveryIds: string[]) {
  return db
    .select({
      delivery: { id: webhookDeliveries.id, status: webhookDeliveries.status },
      endpoint: {
        id: webhookDeliveries.endpointId,
        orgId: webhookEndpoints.orgId,
        url: webhookEndpoints.url,
        enabled: webhookEndpoints.enabled,
        rateLimit: webhookEndpoints.rateLimit,
        secret: webhookEndpoints.secret,
        previousSecret: webhookEndpoints.previousSecret,
        previousSecretExpiresAt: webhookEndpoints.previousSecretExpiresAt,
        failingSince: webhookEndpoints.failingSince,
      },
      event: { id: webhookDeliveries.eventId, payload: webhookEvents.payload },
    })
    .from(webhookDeliveries)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(isOneOf(webhookDeliveries.id, deliveryIds));
}

/**
 * Admits as many of each rate-limited endpoint's deliveries as its current window has room for:
 * one hit per delivery, taken at once per endpoint, so batches running at the same time never
 * admit more than the limit between them.
 */
async function admitUnderRateLimits(env: RateLimitEnv, found: Found[], now: number) {
  const admitted: Found[] = [];
  const overLimit: Found[] = [];
  await Promise.all(
    [...byEndpoint(found).values()].map(async (list) => {
      const { id, rateLimit } = list[0]!.endpoint;
      const { taken } = await takeHits(
        env,
        [counter(RATE_LIMIT_KEY_PREFIX + id, { limit: rateLimit!, windowMs: RATE_WINDOW_MS })],
        now,
        list.length,
      );
      admitted.push(...list.slice(0, taken));
      overLimit.push(...list.slice(taken));
    }),
  );
  return { admitted, overLimit };
}

/**
 * One D1 batch for the rest: lease the admitted deliveries of rate-limited endpoints, and fail the
 * deliveries of disabled endpoints. Answers the leased ones.
 */
async function leaseAdmitted(db: Db, admitted: Found[], disabled: Found[], now: number): Promise<Leased[]> {
  const failDisabled = db
    .update(webhookDeliveries)
    .set({ status: "failed", lastError: "endpoint disabled", updatedAt: now })
    .where(
      and(
        isOneOf(
          webhookDeliveries.id,
          disabled.map((f) => f.delivery.id),
        ),
        eq(webhookDeliveries.status, "pending"),
      ),
    );
  const [leasedRows] = await db.batch([
    leaseStatement(
      db,
      admitted.map((f) => f.delivery.id),
      now,
    ),
    failDisabled,
  ]);
  const attempts = new Map(leasedRows.map((r) => [r.id, r.attempts]));
  return admitted.filter((f) => attempts.has(f.delivery.id)).map((f) => ({ ...f, attempt: attempts.get(f.delivery.id)! }));
}

/** Each endpoint's signers, its sealed secrets opened once for the batch (the previous one only during its overlap). */
function signersByEndpoint(env: Env, leased: Leased[], now: number) {
  const signers = new Map<string, Promise<Webhook[]>>();
  for (const { endpoint } of leased) if (!signers.has(endpoint.id)) signers.set(endpoint.id, openSigners(env, endpoint, now));
  return signers;
}

const timeoutOf = (env: Env) => (Number(env.WEBHOOK_TIMEOUT_MS) > 0 ? Number(env.WEBHOOK_TIMEOUT_MS) : DELIVERY_TIMEOUT_MS);

/** One signed POST; whatever happens (no answer, a timeout, a secret that does not open) is an answer to record. */
async function post(env: Env, leased: Leased, signers: Map<string, Promise<Webhook[]>>): Promise<Attempted> {
  const { endpoint, event } = leased;
  const timeoutMs = timeoutOf(env);
  const started = Date.now();
  const answer: Omit<Answer, "latencyMs" | "at"> = { statusCode: null, response: null, error: null };
  try {
    const signature = await signers
      .get(endpoint.id)!
      .then((s) => signatureWith(s, event.id, new Date(started), event.payload))
      .catch((err: unknown) => {
        log("error", "webhook secret could not be opened", { endpointId: endpoint.id, error: String(err) });
        throw new Error("could not sign the delivery");
      });
    const headers = {
      "content-type": "application/json",
      "user-agent": "Plaza-Webhooks/1",
      "webhook-id": event.id,
      "webhook-timestamp": String(Math.floor(started / 1000)),
      "webhook-signature": signature,
    };
    const res = await fetch(endpoint.url, {
      method: "POST",
      headers,
      body: event.payload,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    answer.statusCode = res.status;
    answer.retryAfter = res.status === 429 || res.status === 503 ? retryAfterOf(res) : undefined;
    answer.response = await readHead(res);
  } catch (err) {
    answer.error = err instanceof Error && err.name === "TimeoutError" ? `timed out after ${timeoutMs} ms` : truncateText(String(err), 500);
  }
  const at = Date.now();
  const ok = answer.statusCode !== null && answer.statusCode >= 200 && answer.statusCode < 300;
  return { ...leased, answer: { ...answer, latencyMs: at - started, at }, ok, gone: answer.statusCode === 410 };
}

/** Every attempt row, delivery update and endpoint's failure bookkeeping, for one D1 batch: a statement per endpoint, plus two. */
function recordStatements(db: Db, attempted: Attempted[]): BatchItem<"sqlite">[] {
  if (attempted.length === 0) return [];
  return [
    attemptInsert(db, attempted),
    deliveryUpdates(db, attempted),
    ...[...byEndpoint(attempted).values()].map((list) => failureBookkeeping(db, list)),
  ];
}

function attemptInsert(db: Db, attempted: Attempted[]) {
  const rows = attempted.map(({ delivery, event, endpoint, attempt, answer }) => ({
    id: newId("webhookAttempt"),
    deliveryId: delivery.id,
    eventId: event.id,
    endpointId: endpoint.id,
    orgId: endpoint.orgId,
    attempt,
    statusCode: answer.statusCode,
    latencyMs: answer.latencyMs,
    response: answer.response,
    error: answer.error,
    createdAt: answer.at,
  }));
  return insertRowsIgnoringConflicts(db, webhookAttempts, rows);
}

const DELIVERY_RESULT = {
  id: webhookDeliveries.id,
  status: webhookDeliveries.status,
  deliveredAt: webhookDeliveries.deliveredAt,
  lastStatusCode: webhookDeliveries.lastStatusCode,
  lastError: webhookDeliveries.lastError,
  updatedAt: webhookDeliveries.updatedAt,
};

/** Each delivery's outcome, in one statement: delivered, gone for good (410), or still pending with its last answer. */
function deliveryUpdates(db: Db, attempted: Attempted[]) {
  const results = attempted.map(({ delivery, answer, ok, gone }) => ({
    id: delivery.id,
    status: ok ? "delivered" : gone ? "failed" : null,
    deliveredAt: ok ? answer.at : null,
    lastStatusCode: answer.statusCode,
    lastError: answer.error ?? (ok ? null : `answered ${answer.statusCode}`),
    updatedAt: answer.at,
  }));
  const { from, field: r } = jsonRowsAs(db, DELIVERY_RESULT, results, "r");
  return db
    .update(webhookDeliveries)
    .set({
      status: sql`coalesce(${r.status}, ${qualified(webhookDeliveries.status)})`,
      deliveredAt: sql`coalesce(${r.deliveredAt}, ${qualified(webhookDeliveries.deliveredAt)})`,
      leasedUntil: null,
      lastStatusCode: r.lastStatusCode,
      lastError: r.lastError,
      updatedAt: r.updatedAt,
    })
    .from(from)
    .where(sql`${qualified(webhookDeliveries.id)} = ${r.id}`);
}

function byEndpoint<T extends { endpoint: { id: string } }>(list: T[]) {
  const groups = new Map<string, T[]>();
  for (const a of list) groups.set(a.endpoint.id, [...(groups.get(a.endpoint.id) ?? []), a]);
  return groups;
}

/** A success clears the endpoint's `failingSince`; a batch of nothing but failures starts it (if not running yet). */
function failureBookkeeping(db: Db, list: Attempted[]) {
  const endpointId = list[0]!.endpoint.id;
  if (list.some((a) => a.ok)) return db.update(webhookEndpoints).set({ failingSince: null }).where(eq(webhookEndpoints.id, endpointId));
  const firstFailureAt = Math.min(...list.map((a) => a.answer.at));
  return db
    .update(webhookEndpoints)
    .set({ failingSince: firstFailureAt })
    .where(and(eq(webhookEndpoints.id, endpointId), isNull(webhookEndpoints.failingSince)));
}

const GONE = "The endpoint answered 410 Gone";
const FAILING_TOO_LONG = "Every delivery failed for 5 days";

/** Why Plaza turns this endpoint off now: it answered 410, or it had failed everything for 5 days and still does. */
function disableReason(list: Attempted[]) {
  if (list.some((a) => a.gone)) return GONE;
  const { failingSince } = list[0]!.endpoint;
  const lastAt = Math.max(...list.map((a) => a.answer.at));
  if (list.every((a) => !a.ok) && failingSince !== null && failingSince <= lastAt - FAILING_DISABLE_MS) return FAILING_TOO_LONG;
  return undefined;
}

interface Disabling {
  reason: string;
  /** False when disabling threw. */
  disabled: boolean;
}

/** Disables the endpoints that must be, after their attempts were recorded; answers what happened per endpoint. */
async function disableFailingEndpoints(ctx: Pick<Ctx, "env" | "db">, attempted: Attempted[]) {
  const disabling = new Map<string, Disabling>();
  const due = [...byEndpoint(attempted).values()].flatMap((list) => {
    const reason = disableReason(list);
    return reason ? [{ endpoint: list[0]!.endpoint, at: Math.max(...list.map((a) => a.answer.at)), reason }] : [];
  });
  await Promise.all(
    due.map(async ({ endpoint, at, reason }) => {
      try {
        await disableEndpoint(ctx, { endpoint, reason, now: at });
        disabling.set(endpoint.id, { reason, disabled: true });
      } catch (err) {
        log("error", "webhook endpoint could not be disabled", { endpointId: endpoint.id, error: String(err) });
        disabling.set(endpoint.id, { reason, disabled: false });
      }
    }),
  );
  return disabling;
}

/**
 * Delivered, or gone for good (410): done. A failure of an endpoint just disabled for failing 5
 * days is not retried; if disabling threw, it is retried soon (the next attempt finds the endpoint
 * again). Any other failure waits for the next attempt on the schedule.
 */
function outcomeOf({ ok, gone, attempt, answer }: Attempted, disabling: Disabling | undefined): DeliveryOutcome {
  if (ok || gone) return DONE;
  if (disabling && !disabling.disabled) return { kind: "retry", delaySeconds: ERROR_RETRY_SECONDS };
  if (disabling?.reason === FAILING_TOO_LONG) return DONE;
  return { kind: "retry", delaySeconds: retryDelaySeconds(DELIVERY_RETRY, attempt, { atLeastSeconds: answer.retryAfter }) };
}

/**
 * Plaza turns an endpoint off (410, or 5 days of failures) and notifies the org's admins. Its pending
 * deliveries become failed and the notice is written in the same batch, and later events are skipped (dispatch.ts), so
 * "recover" finds both once the endpoint is back.
 */
async function disableEndpoint(
  ctx: Pick<Ctx, "env" | "db">,
  { endpoint, reason, now }: { endpoint: Endpoint; reason: string; now: number },
) {
  const { env, db } = ctx;
  const notice = await notificationStatements(ctx, {
    type: "webhook_endpoint_disabled",
    recipients: { orgId: endpoint.orgId, minRole: "admin" },
    title: "A webhook endpoint was disabled",
    body: `Plaza stopped sending webhooks to ${endpoint.url}: ${reason}. Fix it, enable it again and recover the failed and skipped messages.`,
    link: `/dashboard/webhooks/${endpoint.id}`,
    orgId: endpoint.orgId,
    cause: `${endpoint.id}:${now}`,
    mail: webhookDisabledMail(endpoint.url, reason, `${env.APP_URL}/dashboard/webhooks`, WEBHOOK_LOG_RETENTION_DAYS),
    // Only the batch that turned it off tells (its update is guarded by `enabled`).
    onlyIf: sql`EXISTS (SELECT 1 FROM ${webhookEndpoints} WHERE ${webhookEndpoints.id} = ${endpoint.id} AND ${webhookEndpoints.enabled} = 0 AND ${webhookEndpoints.updatedAt} = ${now})`,
  });
  const [[disabled]] = await db.batch([
    db
      .update(webhookEndpoints)
      .set({ enabled: false, disabledReason: reason, updatedAt: now })
      .where(and(eq(webhookEndpoints.id, endpoint.id), eq(webhookEndpoints.enabled, true)))
      .returning({ id: webhookEndpoints.id }),
    db
      .update(webhookDeliveries)
      .set({ status: "failed", lastError: `endpoint disabled: ${reason}`, updatedAt: now })
      .where(and(eq(webhookDeliveries.endpointId, endpoint.id), eq(webhookDeliveries.status, "pending"))),
    ...notice.statements,
  ]);
  if (!disabled) return;
  log("warn", "webhook endpoint disabled", { endpointId: endpoint.id, reason });
  await enqueueMail(ctx, notice.mailIds);
}
