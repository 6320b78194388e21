/**
 * What a domain contributes to the Worker. Each `worker/src/<domain>/index.ts` exports one
 * `DomainModule` (only the parts it has) beside its public functions and types, and
 * `worker/src/modules.ts` lists them: the router, the queue dispatch, the cron scheduler, the
 * Stripe event dispatcher, the OpenAPI document and the role-matrix test all loop over that list.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Hono } from "hono";
import type Stripe from "stripe";
import type { WebhookEventType } from "../../shared/webhook-events";
import type { Ctx, EventHandlers } from "./context";
import type { Db } from "./db/client";
import type { AppEnv, Env } from "./env";

/**
 * R2 objects a module stores under `prefix`: `inUse` answers which of `keys` (all under it, at most
 * 90 at a time, so one bound parameter each fits a D1 statement) some row still refers to. The
 * orphan sweep deletes the others, and never an object under no declared prefix.
 */
export interface ObjectOwner {
  prefix: string;
  inUse: (db: Db, keys: string[]) => Promise<Set<string>>;
}

/** A cron tick as a job sees it: the context plus the tick's time and the rows it may touch. */
export interface JobContext extends Ctx {
  now: number;
  /** Upper bound of rows a job touches per table in one run; the next tick continues. */
  batchSize: number;
  /** Every module's declared R2 prefixes (`Runtime.objects`). */
  objects: readonly ObjectOwner[];
}

/** A maintenance job: idempotent, bounded per run, answers how many rows it processed. */
export type Job = (ctx: JobContext) => Promise<number>;

export type StripeEventOutcome = "processed" | "ignored";

/** A Stripe event, verified and recorded once, handed to the module that acts on its type. */
export interface StripeEventContext extends Ctx {
  event: Stripe.Event;
}

export type StripeEventHandler = (ctx: StripeEventContext) => Promise<StripeEventOutcome>;

/** The id of the object an event is about (checked at ingest for every handled type). */
export const stripeObjectId = (event: Stripe.Event) => (event.data.object as { id: string }).id;

/** A handler's event arrived before what it refers to (Stripe sends in any order): the event is tried again later. */
export class NotYetKnown extends Error {}

/** Mail rendered when it is sent (`mail_messages.template`): its data (opened) in, subject and bodies out. */
export type MailRenderer = (ctx: Ctx, data: string) => Promise<{ subject: string; text: string; html: string }>;

/**
 * A queue's consumer; the entry point routes each batch by its queue's name. (`never`: any
 * consumer's own message type fits, since the entry point only passes the batch through.)
 */
export type QueueConsumer = (batch: MessageBatch<never>, env: Env, runtime: Runtime) => Promise<void>;

// biome-ignore lint/suspicious/noExplicitAny: any router's schema; ApiType recovers each one's exact type
export type ApiRouter = OpenAPIHono<AppEnv, any, "/">;

export interface DomainModule {
  /** The folder's name. */
  name: string;
  /** Its /v1 API (OpenAPI routes, in /openapi.json and the web app's typed client). */
  routes?: ApiRouter;
  /** Routes outside the API: server-rendered pages, download links, media, dev tools. */
  pages?: Hono<AppEnv>;
  /** Maintenance jobs by name (`job_runs.job`), run on every cron tick. */
  jobs?: Readonly<Record<string, Job>>;
  /** Jobs too heavy for every tick (whole-table rebuilds): run on the first tick of each UTC day, and by an operator's "run now". */
  dailyJobs?: Readonly<Record<string, Job>>;
  /** Stripe event types this module acts on (one module per type), sent to the platform endpoint. */
  stripeHandlers?: Readonly<Record<string, StripeEventHandler>>;
  /** Stripe event types about authors' connected accounts, which Stripe sends only to the Connect endpoint. */
  connectStripeHandlers?: Readonly<Record<string, StripeEventHandler>>;
  /** Queue consumers by queue name (wrangler.toml). */
  queues?: Readonly<Record<string, QueueConsumer>>;
  /** The outgoing webhook event types this module sends (their payloads are in shared/webhook-events.ts). */
  webhookEvents?: readonly WebhookEventType[];
  /** Its reactions to other domains' events (context.ts `DomainEvents`). */
  events?: EventHandlers;
  /** The mail templates it renders when the mail is sent, by template name (one module per template). */
  mailRenderers?: Readonly<Record<string, MailRenderer>>;
  /** The R2 prefixes whose objects it stores, and which of them are still referred to (for the orphan sweep). */
  objects?: readonly ObjectOwner[];
}

/** Keeps a module's exact type, so `ApiType` knows every route of its router. */
export const defineModule = <const M extends DomainModule>(module: M): M => module;

/** What the composition root assembles from every module, handed to the entry points that dispatch. */
export interface Runtime {
  /** Every job, daily ones included, by its unique name. */
  jobs: Readonly<Record<string, Job>>;
  /** Which of `jobs` run only on the first tick of each UTC day. */
  dailyJobs: ReadonlySet<string>;
  /** Every Stripe event type some module acts on, from either endpoint. */
  stripeHandlers: Readonly<Record<string, StripeEventHandler>>;
  /** Which endpoint Stripe sends each handled type to (README's Stripe setup is generated from it). */
  stripeEventTypes: { platform: readonly string[]; connect: readonly string[] };
  queues: Readonly<Record<string, QueueConsumer>>;
  /** Each module's event handlers, in module order. */
  events: readonly EventHandlers[];
  mailRenderers: Readonly<Record<string, MailRenderer>>;
  /** Every module's declared R2 prefixes; no two overlap, so each object has at most one owner. */
  objects: readonly ObjectOwner[];
}

/** One entry per name across all modules: a second job, Stripe handler, queue consumer or mail renderer of the same name is a wiring mistake. */
function merged<T>(kind: string, modules: readonly DomainModule[], part: (m: DomainModule) => Readonly<Record<string, T>> | undefined) {
  const all: Record<string, T> = {};
  for (const module of modules) {
    for (const [name, value] of Object.entries(part(module) ?? {})) {
      if (name in all) throw new Error(`${kind} "${name}" is registered twice (again by ${module.name})`);
      all[name] = value;
    }
  }
  return all;
}

export function assembleRuntime(modules: readonly DomainModule[]): Runtime {
  return {
    jobs: merged("job", modules, (m) => ({ ...m.jobs, ...m.dailyJobs })),
    dailyJobs: new Set(modules.flatMap((m) => Object.keys(m.dailyJobs ?? {}))),
    stripeHandlers: merged("Stripe event handler", modules, (m) => ({ ...m.stripeHandlers, ...m.connectStripeHandlers })),
    stripeEventTypes: {
      platform: modules.flatMap((m) => Object.keys(m.stripeHandlers ?? {})),
      connect: modules.flatMap((m) => Object.keys(m.connectStripeHandlers ?? {})),
    },
    queues: merged("queue consumer", modules, (m) => m.queues),
    events: modules.flatMap((m) => (m.events ? [m.events] : [])),
    mailRenderers: merged("mail renderer", modules, (m) => m.mailRenderers),
    objects: objectOwners(modules),
  };
}

/** Declared prefixes must not overlap: an object under two would be deleted as soon as either owner forgot it. */
function objectOwners(modules: readonly DomainModule[]): ObjectOwner[] {
  const owners = modules.flatMap((m) => (m.objects ?? []).map((owner) => ({ owner, module: m.name })));
  for (const a of owners) {
    if (!a.owner.prefix.endsWith("/")) throw new Error(`object prefix "${a.owner.prefix}" (${a.module}) must end with "/"`);
    const b = owners.find((o) => o !== a && o.owner.prefix.startsWith(a.owner.prefix));
    if (b) throw new Error(`object prefix "${b.owner.prefix}" (${b.module}) lies under "${a.owner.prefix}" (${a.module})`);
  }
  return owners.map((o) => o.owner);
}
