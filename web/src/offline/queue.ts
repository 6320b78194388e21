/**
 * The offline mutation queue: every change that is not part of a live document (project settings,
 * asset deletes, snapshot requests…) is written to IndexedDB first and sent from there, in the
 * order it was made, so it survives a reload, a closed browser or a lost connection.
 *
 * Each change carries its own `Idempotency-Key`, kept with it: when an answer is lost on the way
 * back, the replay gets the stored answer and the server applies the change once. One tab of a
 * browser sends at a time (a Web Lock); the others see the same store.
 *
 * Failures, by kind: no network → kept, sent again when the browser is online (and every few
 * seconds meanwhile); 5xx, 429 or a duplicate still running → kept, retried with backoff; a
 * final refusal (4xx) → the page that is waiting for it gets the error (its form shows it), or,
 * when nobody is (a replay after a reload), the change stays as `failed` for the person to retry
 * or discard. A 412 goes to the change's kind (project-edits.ts merges or asks the person).
 */
import { type DBSchema, type IDBPDatabase, openDB } from "idb";
import { authorizedFetch } from "../api/authorized-fetch";
import { type ApiError, apiErrorFrom } from "../api/errors";

export type MutationMethod = "POST" | "PUT" | "PATCH" | "DELETE";

export interface QueuedMutation<Extra = unknown> {
  /** The store's key: the order changes were made in. */
  seq?: number;
  /** Sent as `Idempotency-Key`; a new one only when the body changes (after a merge). */
  key: string;
  /** Who handles a 412 and what follows a success (registerKind); plain changes have none. */
  kind?: string;
  /** What the change belongs to (`project:<id>`): its page's SaveStatus counts it, and a change waiting for the person holds back only its own scope. */
  scope: string;
  /** What the person did, in words, for "Error: … failed". */
  label: string;
  method: MutationMethod;
  path: string;
  body?: unknown;
  ifMatch?: string;
  /** `failed`: refused, kept for the person to retry or discard. `conflict`: its kind needs a choice. */
  state: "waiting" | "failed" | "conflict";
  /** The last failure in words: a refusal, or a transient one being retried. */
  error?: string;
  /** The kind's own data (a project edit's base copy, a conflict's two values). */
  extra?: Extra;
  createdAt: number;
}

export type Outcome = { applied: true; body: unknown } | { applied: false; queued: true };

/** What a kind decides after a 412: send it again (changed), drop it (nothing left to send), or wait for the person. */
export type PreconditionResult =
  | { action: "retry"; change: Partial<QueuedMutation> }
  | { action: "drop"; body: unknown }
  | { action: "conflict"; change: Partial<QueuedMutation> };

export interface KindHandlers {
  onPreconditionFailed(entry: QueuedMutation): Promise<PreconditionResult>;
  /** After a success, before the next change is sent: adjust the later changes (a new If-Match). */
  afterApplied?(entry: QueuedMutation, body: unknown, later: QueuedMutation[]): QueuedMutation[];
}

export interface QueueSnapshot {
  entries: QueuedMutation[];
  /** The change being sent now. */
  sending: number | undefined;
  /** The last attempt found no network (or the browser says it is offline). */
  offline: boolean;
}

interface QueueDb extends DBSchema {
  mutations: { key: number; value: QueuedMutation };
}

const MAX_BACKOFF_MS = 30_000;
const kinds = new Map<string, KindHandlers>();

export function registerKind(kind: string, handlers: KindHandlers): void {
  kinds.set(kind, handlers);
}

export const queueDbName = (userId: string) => `plaza:queue:${userId}`;

/** What one attempt came to. */
type Attempt =
  | { kind: "applied"; body: unknown }
  | { kind: "offline" }
  | { kind: "later"; error: string; afterMs?: number }
  | { kind: "refused"; error: ApiError }
  | { kind: "precondition" };

async function attempt(entry: QueuedMutation): Promise<Attempt> {
  const headers = new Headers({ "idempotency-key": entry.key });
  if (entry.body !== undefined) headers.set("content-type", "application/json");
  if (entry.ifMatch) headers.set("if-match", entry.ifMatch);
  let res: Response;
  try {
    res = await authorizedFetch(entry.path, {
      method: entry.method,
      headers,
      body: entry.body === undefined ? undefined : JSON.stringify(entry.body),
    });
  } catch {
    return { kind: "offline" };
  }
  if (res.ok) {
    const body = res.status === 204 || !res.headers.get("content-type")?.includes("json") ? undefined : await res.json();
    return { kind: "applied", body };
  }
  if (res.status === 412) return { kind: "precondition" };
  const error = await apiErrorFrom(res);
  // Not final: the server or the session will answer differently later (an offline start signs in once online).
  if (res.status >= 500 || res.status === 429 || res.status === 401 || error.code === "idempotency_in_progress") {
    return { kind: "later", error: error.message, afterMs: error.retryAfterSeconds ? error.retryAfterSeconds * 1000 : undefined };
  }
  return { kind: "refused", error };
}

export class MutationQueue {
  private db: Promise<IDBPDatabase<QueueDb>>;
  /** Resolves once the stored changes are read (pages overlay them on what they show). */
  readonly loaded: Promise<void>;
  private entries: QueuedMutation[] = [];
  private sending: number | undefined;
  private offline = false;
  private draining = false;
  private drainAgain = false;
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly waiters = new Map<number, { resolve: (o: Outcome) => void; reject: (e: ApiError) => void }>();
  private readonly listeners = new Set<(s: QueueSnapshot) => void>();
  private readonly appliedListeners = new Set<(entry: QueuedMutation, body: unknown) => void>();
  private readonly onOnline = () => {
    this.offline = false;
    this.kick();
  };
  private readonly onOffline = () => {
    this.offline = true;
    this.emit();
  };

  constructor(readonly userId: string) {
    this.db = openDB<QueueDb>(queueDbName(userId), 1, {
      upgrade(db) {
        db.createObjectStore("mutations", { keyPath: "seq", autoIncrement: true });
      },
      // Signing out deletes this database: let it go rather than block the deletion.
      blocking: () => void this.close(),
    });
    addEventListener("online", this.onOnline);
    addEventListener("offline", this.onOffline);
    this.loaded = this.refresh();
    void this.loaded.then(() => this.kick());
  }

  snapshot(): QueueSnapshot {
    return { entries: this.entries, sending: this.sending, offline: this.offline || !navigator.onLine };
  }

  subscribe(listener: (s: QueueSnapshot) => void): () => void {
    this.listeners.add(listener);
    listener(this.snapshot());
    return () => this.listeners.delete(listener);
  }

  /** Every change that reached the server, with its answer (pages update what they show). */
  onApplied(listener: (entry: QueuedMutation, body: unknown) => void): () => void {
    this.appliedListeners.add(listener);
    return () => this.appliedListeners.delete(listener);
  }

  /**
   * Stores the change, then sends it (after the ones before it). Resolves `applied` with the
   * answer, or `queued` when it cannot go now (offline, or held behind a change of its scope that
   * waits for the person); rejects with the server's refusal, which the caller then shows.
   */
  async enqueue(change: Omit<QueuedMutation, "seq" | "key" | "state" | "createdAt">): Promise<Outcome> {
    const entry: QueuedMutation = { ...change, key: crypto.randomUUID(), state: "waiting", createdAt: Date.now() };
    const seq = await (await this.db).add("mutations", entry);
    const outcome = new Promise<Outcome>((resolve, reject) => this.waiters.set(seq, { resolve, reject }));
    await this.refresh();
    this.kick();
    return outcome;
  }

  async update(seq: number, change: Partial<QueuedMutation>): Promise<void> {
    const db = await this.db;
    const entry = await db.get("mutations", seq);
    if (entry) await db.put("mutations", { ...entry, ...change, seq });
    await this.refresh();
  }

  /**
   * Sends a change again now. A refused one gets a new key: the server stored its refusal under the
   * old one (and applied nothing), so the same key would only be answered the refusal again. Any
   * other keeps its key: an earlier attempt may have been applied with its answer lost.
   */
  async retry(seq: number): Promise<void> {
    const entry = this.entries.find((e) => e.seq === seq);
    await this.update(seq, { state: "waiting", error: undefined, ...(entry?.state === "failed" && { key: crypto.randomUUID() }) });
    this.kick();
  }

  async discard(seq: number): Promise<void> {
    await (await this.db).delete("mutations", seq);
    await this.refresh();
    this.kick();
  }

  /** Sends what waits now: after a change, when the browser is back online, or when a retry is due. */
  kick(): void {
    clearTimeout(this.retryTimer);
    void this.drain();
  }

  async close(): Promise<void> {
    clearTimeout(this.retryTimer);
    removeEventListener("online", this.onOnline);
    removeEventListener("offline", this.onOffline);
    (await this.db).close();
  }

  private emit(): void {
    const snapshot = this.snapshot();
    for (const listener of this.listeners) listener(snapshot);
  }

  private async refresh(): Promise<void> {
    this.entries = await (await this.db).getAll("mutations");
    this.emit();
  }

  /** The next change that may go: the first waiting one whose scope holds nothing for the person. */
  private next(): QueuedMutation | undefined {
    const held = new Set(this.entries.filter((e) => e.state !== "waiting").map((e) => e.scope));
    return this.entries.find((e) => e.state === "waiting" && !held.has(e.scope));
  }

  private async drain(): Promise<void> {
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = true;
    try {
      // One sender per browser: other tabs wait, then find the store already sent.
      await navigator.locks.request(`plaza-queue:${this.userId}`, () => this.sendAll());
    } finally {
      this.draining = false;
      this.sending = undefined;
      if (this.drainAgain) {
        this.drainAgain = false;
        void this.drain();
      } else {
        // Whoever still waits on a change that cannot go now is told it is queued.
        for (const waiter of this.waiters.values()) waiter.resolve({ applied: false, queued: true });
        this.waiters.clear();
      }
      this.emit();
    }
  }

  private async sendAll(): Promise<void> {
    await this.refresh();
    for (let entry = this.next(); entry; entry = this.next()) {
      const seq = entry.seq as number;
      this.sending = seq;
      this.emit();
      const result = await attempt(entry);
      if (result.kind === "offline" || result.kind === "later") {
        this.offline = result.kind === "offline";
        if (result.kind === "later") await this.update(seq, { error: result.error });
        this.scheduleRetry(result.kind === "later" ? result.afterMs : undefined);
        return;
      }
      this.offline = false;
      this.failures = 0;
      if (result.kind === "applied") await this.applied(entry, result.body);
      else if (result.kind === "refused") await this.refused(entry, result.error);
      else await this.preconditionFailed(entry);
    }
  }

  private async applied(entry: QueuedMutation, body: unknown): Promise<void> {
    const db = await this.db;
    await db.delete("mutations", entry.seq as number);
    const handlers = entry.kind ? kinds.get(entry.kind) : undefined;
    if (handlers?.afterApplied) {
      const later = this.entries.filter((e) => (e.seq as number) > (entry.seq as number));
      for (const changed of handlers.afterApplied(entry, body, later)) await db.put("mutations", changed);
    }
    await this.refresh();
    this.waiters.get(entry.seq as number)?.resolve({ applied: true, body });
    this.waiters.delete(entry.seq as number);
    for (const listener of this.appliedListeners) listener(entry, body);
  }

  private async refused(entry: QueuedMutation, error: ApiError): Promise<void> {
    const waiter = this.waiters.get(entry.seq as number);
    if (waiter) {
      // The page that made the change is here to show why: it does not stay queued.
      await (await this.db).delete("mutations", entry.seq as number);
      this.waiters.delete(entry.seq as number);
      await this.refresh();
      waiter.reject(error);
    } else {
      await this.update(entry.seq as number, { state: "failed", error: error.message });
    }
  }

  private async preconditionFailed(entry: QueuedMutation): Promise<void> {
    const handlers = entry.kind ? kinds.get(entry.kind) : undefined;
    if (!handlers) {
      await this.update(entry.seq as number, { state: "failed", error: "It was changed elsewhere meanwhile." });
      return;
    }
    const decision = await handlers.onPreconditionFailed(entry);
    if (decision.action === "drop") await this.applied(entry, decision.body);
    else
      await this.update(entry.seq as number, {
        ...decision.change,
        state: decision.action === "retry" ? "waiting" : "conflict",
      });
  }

  private scheduleRetry(afterMs?: number): void {
    this.failures++;
    const backoff = Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** Math.min(this.failures - 1, 5));
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.drain(), Math.max(afterMs ?? 0, backoff));
  }
}

let current: MutationQueue | null = null;

/** The signed-in person's queue (one per user: another person's changes never go out under this session). */
export function mutationQueue(userId: string): MutationQueue {
  if (current?.userId !== userId) {
    void current?.close();
    current = new MutationQueue(userId);
  }
  return current;
}

/** Changes of the signed-in person still waiting on this device (0 before their queue was read). */
export const queuedChanges = (): number => current?.snapshot().entries.length ?? 0;

/** Signing out: stop sending and release the store so it can be deleted. */
export async function closeMutationQueue(): Promise<void> {
  const queue = current;
  current = null;
  await queue?.close();
}
