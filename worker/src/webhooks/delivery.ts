/**
 * One delivery attempt: POST the event to the endpoint, signed, within 15 seconds, and record
 * the attempt. The caller (the queue consumer) turns the outcome into an ack or a delayed retry.
 *
 * A duplicate queue message never makes a second attempt at the same time: the delivery is
 * leased first (one guarded UPDATE), and attempt numbers are unique per delivery.
 */
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { newId } from "../crypto/random";
import type { Db } from "../db/client";
import { memberships, users, webhookAttempts, webhookDeliveries, webhookEndpoints, webhookEvents } from "../db/schema";
import type { Env } from "../env";
import { log } from "../http/log";
import { assertUnderLimit, countHit } from "../http/rate-limit";
import { enqueueMail, mailInsert } from "../mail/outbox";
import { webhookDisabledMail } from "../mail/templates";
import { signatureHeader } from "./signing";

export const DELIVERY_TIMEOUT_MS = 15_000;
/** Delays before the 2nd, 3rd, 4th and 5th attempt; after the 5th the message goes to the DLQ. */
export const RETRY_DELAYS_SECONDS = [1, 5, 60, 3600] as const;
/** Cloudflare Queues delay a message at most 12 hours. */
const MAX_DELAY_SECONDS = 43_200;
export const FAILING_DISABLE_MS = 5 * 86_400_000;
const RESPONSE_LOG_BYTES = 2048;
const LEASE_MS = DELIVERY_TIMEOUT_MS + 15_000;

export type DeliveryOutcome =
  | { kind: "done" }
  /** Failed: retry through the queue after `delaySeconds` (counts as an attempt). */
  | { kind: "retry"; delaySeconds: number }
  /** Not attempted now (leased by another consumer, or over the endpoint's rate): send again later. */
  | { kind: "later"; delaySeconds: number };

/** The delay before the next attempt after attempt `n` (1-based) failed: the schedule plus up to 20% jitter. */
export function retryDelaySeconds(attempt: number, retryAfterSeconds?: number) {
  const base = RETRY_DELAYS_SECONDS[Math.min(attempt, RETRY_DELAYS_SECONDS.length) - 1]!;
  const jittered = base + Math.floor(Math.random() * Math.max(1, base * 0.2));
  return Math.min(MAX_DELAY_SECONDS, Math.max(jittered, retryAfterSeconds ?? 0));
}

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
  for (const c of chunks) bytes.set(c, (at += c.byteLength) - c.byteLength);
  return new TextDecoder().decode(bytes.slice(0, RESPONSE_LOG_BYTES));
}

export async function attemptDelivery(env: Env, db: Db, deliveryId: string, now = Date.now()): Promise<DeliveryOutcome> {
  const [found] = await db
    .select({ delivery: webhookDeliveries, endpoint: webhookEndpoints, event: webhookEvents })
    .from(webhookDeliveries)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(eq(webhookDeliveries.id, deliveryId))
    .limit(1);
  if (!found || found.delivery.status !== "pending") return { kind: "done" };
  const { endpoint, event } = found;
  if (!endpoint.enabled) {
    await db.update(webhookDeliveries).set({ status: "failed", lastError: "endpoint disabled", updatedAt: now }).where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.status, "pending")));
    return { kind: "done" };
  }
  if (endpoint.rateLimit) {
    const window = { limit: endpoint.rateLimit, windowMs: 1000 };
    try {
      await assertUnderLimit(db, `webhook:${endpoint.id}`, window, now);
    } catch {
      return { kind: "later", delaySeconds: 1 };
    }
    await countHit(db, `webhook:${endpoint.id}`, window, now);
  }

  const [lease] = await db
    .update(webhookDeliveries)
    .set({ leasedUntil: now + LEASE_MS, attempts: sql`${webhookDeliveries.attempts} + 1`, updatedAt: now })
    .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.status, "pending"), or(isNull(webhookDeliveries.leasedUntil), lt(webhookDeliveries.leasedUntil, now))))
    .returning({ attempts: webhookDeliveries.attempts, leasedUntil: webhookDeliveries.leasedUntil });
  if (!lease) return { kind: "later", delaySeconds: Math.ceil(LEASE_MS / 1000) };
  const attempt = lease.attempts;

  const timeoutMs = Number(env.WEBHOOK_TIMEOUT_MS) > 0 ? Number(env.WEBHOOK_TIMEOUT_MS) : DELIVERY_TIMEOUT_MS;
  const timestamp = new Date(now);
  const headers = {
    "content-type": "application/json",
    "user-agent": "Plaza-Webhooks/1",
    "webhook-id": event.id,
    "webhook-timestamp": String(Math.floor(now / 1000)),
    "webhook-signature": await signatureHeader(env, endpoint, event.id, timestamp, event.payload, now),
  };
  const started = Date.now();
  let statusCode: number | null = null;
  let response: string | null = null;
  let error: string | null = null;
  let retryAfter: number | undefined;
  try {
    const res = await fetch(endpoint.url, { method: "POST", headers, body: event.payload, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
    statusCode = res.status;
    retryAfter = res.status === 429 || res.status === 503 ? retryAfterOf(res) : undefined;
    response = await readHead(res);
  } catch (err) {
    error = err instanceof Error && err.name === "TimeoutError" ? `timed out after ${timeoutMs} ms` : String(err).slice(0, 500);
  }
  const latencyMs = Date.now() - started;
  const ok = statusCode !== null && statusCode >= 200 && statusCode < 300;
  const gone = statusCode === 410;
  const at = Date.now();

  const record = db
    .insert(webhookAttempts)
    .values({ id: newId("webhookAttempt"), deliveryId, eventId: event.id, endpointId: endpoint.id, orgId: endpoint.orgId, attempt, statusCode, latencyMs, response, error, createdAt: at })
    .onConflictDoNothing();
  const deliveryNow = ok
    ? { status: "delivered" as const, deliveredAt: at, leasedUntil: null }
    : gone
      ? { status: "failed" as const, leasedUntil: null }
      : { leasedUntil: null };
  const failingSince = endpoint.failingSince ?? at;
  const failingTooLong = !ok && failingSince <= at - FAILING_DISABLE_MS;
  await db.batch([
    record,
    db.update(webhookDeliveries).set({ ...deliveryNow, lastStatusCode: statusCode, lastError: error ?? (ok ? null : `answered ${statusCode}`), updatedAt: at }).where(eq(webhookDeliveries.id, deliveryId)),
    ok
      ? db.update(webhookEndpoints).set({ failingSince: null }).where(eq(webhookEndpoints.id, endpoint.id))
      : db.update(webhookEndpoints).set({ failingSince }).where(and(eq(webhookEndpoints.id, endpoint.id), isNull(webhookEndpoints.failingSince))),
  ]);
  if (ok) return { kind: "done" };
  if (gone) {
    await disableEndpoint(env, db, endpoint, "The endpoint answered 410 Gone", at);
    return { kind: "done" };
  }
  if (failingTooLong) {
    await disableEndpoint(env, db, endpoint, "Every delivery failed for 5 days", at);
    return { kind: "done" };
  }
  return { kind: "retry", delaySeconds: retryDelaySeconds(attempt, retryAfter) };
}

/** Plaza turns an endpoint off (410, or 5 days of failures) and tells the org's owners. */
async function disableEndpoint(env: Env, db: Db, endpoint: typeof webhookEndpoints.$inferSelect, reason: string, now: number) {
  const [disabled] = await db
    .update(webhookEndpoints)
    .set({ enabled: false, disabledReason: reason, updatedAt: now })
    .where(and(eq(webhookEndpoints.id, endpoint.id), eq(webhookEndpoints.enabled, true)))
    .returning({ id: webhookEndpoints.id });
  if (!disabled) return;
  log("warn", "webhook endpoint disabled", { endpointId: endpoint.id, reason });
  const owners = await db
    .select({ email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, endpoint.orgId), eq(memberships.role, "owner")));
  const mails = await Promise.all(owners.map((o) => mailInsert(env, db, o.email, webhookDisabledMail(endpoint.url, reason, `${env.APP_URL}/dashboard/webhooks`))));
  const [first, ...rest] = mails.map((m) => m.insert as BatchItem<"sqlite">);
  if (!first) return;
  await db.batch([first, ...rest]);
  await enqueueMail(env, mails.map((m) => m.id));
}
