/**
 * The one context every service takes first: the bindings, the database, who is asking, the
 * request id for logs and audit rows, and the domain events other modules react to. Built once
 * per request by `requestContext()`, and once per queue batch or cron tick by `backgroundContext()`.
 */
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "./db/client";
import { createSessionDb, sessionBinding } from "./db/client";
import type { Env } from "./env";
import { type LogLevel, log } from "./http/log";
import type { Principal } from "./http/principal";

/** Who caused a change, for audit rows: a request's IP and user agent, or none for queues and cron. */
export interface RequestMeta {
  ip: string | null;
  requestId: string;
  userAgent: string | null;
}

export type Logger = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

/**
 * Events a domain announces and other domains react to, so that the announcer need not know them
 * (no domain imports the domains that depend on it). Each announcing domain adds its events here
 * by declaration merging, in its own `events.ts`:
 *   declare module "../context" { interface DomainEvents { "project.deleted": { projectId: string } } }
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging in each domain's events.ts
export interface DomainEvents {}

export type DomainEventType = keyof DomainEvents;
export type Statement = BatchItem<"sqlite">;

/**
 * A reaction to a domain event. What it returns goes into the announcer's own D1 batch (for
 * bookkeeping that must commit with the change); anything else it does runs before the
 * announcer answers.
 */
export type EventHandler<T extends DomainEventType = DomainEventType> = (
  ctx: Ctx,
  event: DomainEvents[T],
) => Promise<Statement[] | undefined>;

export type EventHandlers = { [T in DomainEventType]?: EventHandler<T> };

export interface Events {
  /** Runs every module's handler of `type` in module order; answers the statements they want batched with the change. */
  emit<T extends DomainEventType>(type: T, event: DomainEvents[T]): Promise<Statement[]>;
}

export interface Ctx {
  env: Env;
  db: Db;
  requestId: string;
  meta: RequestMeta;
  log: Logger;
  /** The caller on a request that authenticated; absent for anonymous requests, queues and cron. */
  principal?: Principal;
  events: Events;
  /** Work that may finish after the answer (never work the answer promises). */
  waitUntil(promise: Promise<unknown>): void;
}

/** The event bus over the handlers the composition root collected from every module. */
export function eventBus(handlers: readonly EventHandlers[], ctx: () => Ctx): Events {
  return {
    async emit(type, event) {
      const statements: Statement[] = [];
      for (const module of handlers) {
        const handle = module[type] as EventHandler<typeof type> | undefined;
        const batched = handle ? await handle(ctx(), event) : undefined;
        if (batched) statements.push(...batched);
      }
      return statements;
    },
  };
}

const boundLogger =
  (requestId: string): Logger =>
  (level, msg, fields = {}) =>
    log(level, msg, { requestId, ...fields });

/**
 * A context for work outside a request: a queue batch or a cron tick (`requestId` names it in logs).
 * `userAgent` names on whose behalf it runs in audit rows (e.g. `stripe-webhook`).
 */
export function backgroundContext(
  env: Env,
  options: { requestId: string; userAgent?: string; handlers: readonly EventHandlers[]; waitUntil?: (promise: Promise<unknown>) => void },
): Ctx {
  // Background work answers to nobody's bookmark and must see the latest state: it starts at the primary.
  const DB = sessionBinding(env.DB, env.DB.withSession("first-primary"));
  const ctx: Ctx = {
    env: { ...env, DB },
    db: createSessionDb(DB),
    requestId: options.requestId,
    meta: { ip: null, requestId: options.requestId, userAgent: options.userAgent ?? null },
    log: boundLogger(options.requestId),
    events: eventBus(options.handlers, () => ctx),
    waitUntil:
      options.waitUntil ?? ((promise) => void promise.catch((err) => ctx.log("error", "background work failed", { error: String(err) }))),
  };
  return ctx;
}

export { boundLogger };
