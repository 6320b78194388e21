/**
 * GET /readyz: D1 (a query, and the newest migration this code expects is applied), R2 (a head of
 * a key no one writes) and every queue producer binding. /healthz stays the cheap liveness answer.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import migrationJournal from "../../../migrations/meta/_journal.json";
import type { ReadyzCheckT, ReadyzT } from "../../../shared/health";
import { constantTimeEqual } from "../crypto/hash";
import type { AppEnv, Env } from "../env";
import { AppError } from "../http/errors";
import { authenticate } from "../tokens";

/** A bearer secret for uptime monitors; shorter than 32 characters it is ignored (guessable). */
const MIN_TOKEN_LENGTH = 32;

/** Each check gets this long: a hung dependency answers 503, not a hung monitor. */
const CHECK_TIMEOUT_MS = 3_000;

/**
 * Queues have no health API, so this proves only that each producer binding is deployed (wrangler.toml
 * wired it): a send would have to be dropped by every consumer, and a page view would be counted.
 * Messages that fail for good show up as dead letters, which the operator-alerts job mails about.
 */
export const QUEUE_BINDINGS = [
  "MAIL_QUEUE",
  "STRIPE_EVENTS_QUEUE",
  "USAGE_QUEUE",
  "WEBHOOKS_QUEUE",
  "MEDIA_QUEUE",
  "UPLOADS_QUEUE",
  "ANALYTICS_QUEUE",
] as const satisfies readonly (keyof Env)[];

/** `wrangler d1 migrations apply` (and the tests' applyD1Migrations) record each applied file by name. */
const NEWEST_MIGRATION = `${migrationJournal.entries.at(-1)!.tag}.sql`;

class CheckFailed extends Error {
  constructor(
    readonly reason: NonNullable<ReadyzCheckT["reason"]>,
    readonly missing?: string[],
  ) {
    super(reason);
  }
}

async function timed(check: () => Promise<void>): Promise<ReadyzCheckT> {
  const start = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckFailed("timeout")), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return { ok: true, ms: Date.now() - start };
  } catch (err) {
    const failed = err instanceof CheckFailed ? err : new CheckFailed("unreachable");
    return { ok: false, ms: Date.now() - start, reason: failed.reason, ...(failed.missing ? { missing: failed.missing } : {}) };
  } finally {
    clearTimeout(timer);
  }
}

const checkD1 = async (env: Env) => {
  const row = await env.DB.prepare("SELECT 1 AS applied FROM d1_migrations WHERE name = ?").bind(NEWEST_MIGRATION).first();
  if (!row) throw new CheckFailed("migrations_pending");
};

const checkR2 = async (env: Env) => {
  await env.BUCKET.head("readyz/probe");
};

const checkQueues = async (env: Env) => {
  const missing = QUEUE_BINDINGS.filter((name) => typeof (env[name] as Partial<Queue> | undefined)?.send !== "function");
  if (missing.length) throw new CheckFailed("binding_missing", missing);
};

/** Every check at once: 200 when all pass, else 503 with each one's outcome. */
export async function readiness(env: Env): Promise<ReadyzT> {
  const [d1, r2, queues] = await Promise.all([timed(() => checkD1(env)), timed(() => checkR2(env)), timed(() => checkQueues(env))]);
  return { ok: d1.ok && r2.ok && queues.ok, checks: { d1, r2, queues } };
}

/**
 * Operators (a session or API token of an operator) or an uptime monitor with `READYZ_TOKEN`; anyone
 * else, a bad credential included, gets 404 like every operator route. The token needs no D1, so a
 * monitor still gets its 503 when D1 is down (an operator's credential is checked in D1).
 */
export const readyzAccess = () =>
  createMiddleware<AppEnv>(async function readyzAccess(c, next) {
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
    const token = c.env.READYZ_TOKEN;
    if (bearer && token && token.length >= MIN_TOKEN_LENGTH && constantTimeEqual(bearer, token)) return next();
    if (bearer) {
      try {
        await authenticate()(c, async () => {});
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
      }
    }
    if (!c.get("principal")?.user.isOperator) throw new AppError("not_found", `No route for ${c.req.method} ${c.req.path}`);
    await next();
  });

export async function readyz(c: Context<AppEnv>) {
  const result = await readiness(c.env);
  c.header("cache-control", "no-store");
  return c.json(result, result.ok ? 200 : 503);
}
