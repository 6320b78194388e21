import * as Y from "yjs";
import type { SharedDoc } from "./document-session";

/**
 * y-partykit's snapshot persistence, one storage write per frame of updates instead of per update.
 *
 * y-partykit appends every document update to the room's update log as it happens: a list and a
 * put per update, one after another. While a storage operation runs, the Durable Object's input
 * gate holds the next incoming message and its output gate holds outgoing messages until the
 * write is confirmed, so a busy room relayed edits one storage commit at a time (0.2-0.6x the
 * reference server in bench/rooms.bench.mjs with partykit dev's storage on disk). Passing
 * `allowUnconfirmed` (and `allowConcurrency` on the reads) measured no better under partykit dev:
 * the commits themselves are the cost, so this cuts their number instead.
 *
 * The first update of a batch waits UPDATE_BATCH_MS; everything arriving meanwhile is merged into
 * it (Y.mergeUpdates) and written as one entry through y-partykit's own serialised store, same key
 * format. During that wait no storage operation is in flight, so the room reads and relays at
 * full speed; the one write per frame then gates as y-partykit's writes always did.
 *
 * Durability: the output gate still holds every message sent while a write is pending, so a peer
 * receives the frame's later updates only once the write carrying them is confirmed; an update
 * relayed inside the wait is at most one frame ahead of storage. That window is the cost, and it is
 * one a Y.js room can carry: a client keeps every update it made or received until it has synced
 * with the room again, and a reconnecting client's sync sends the room whatever it lacks. A clean
 * stop loses nothing: the last connection's leave runs `flush()` before compacting the log, so
 * what the clients saw is in storage (party/persistence.test.ts restarts on the same storage).
 */
/** How long the first update of a batch waits for others before the batch is written. */
export const UPDATE_BATCH_MS = 33;

const logs = new WeakMap<SharedDoc, CoalescingUpdateLog>();

export class CoalescingUpdateLog {
  /** The batch still taking updates, and the promise of its write. */
  private queued: { updates: Uint8Array[]; stored: Promise<void> } | null = null;
  /** The last write started; a new batch starts after it. */
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: (update: Uint8Array) => Promise<unknown>,
    private readonly batchMs = UPDATE_BATCH_MS,
  ) {}

  /**
   * Routes y-partykit's per-update writes for `doc` through a coalescing log. y-partykit calls
   * `doc.storage.storeUpdate` for each update (and for `writeState`), so replacing that method on
   * this document's storage object is the one place every write passes.
   */
  static install(doc: SharedDoc): CoalescingUpdateLog {
    const installed = logs.get(doc);
    if (installed) return installed;
    const storage = doc.storage;
    if (!storage) throw new Error("the room's document has no storage: persistence is off");
    const storeUpdate = storage.storeUpdate.bind(storage);
    const log = new CoalescingUpdateLog((update) => storeUpdate(doc.name, update));
    storage.storeUpdate = async (_docName, update) => {
      await log.append(update);
      // y-partykit ignores the clock it returns; nobody else calls this.
      return -1;
    };
    logs.set(doc, log);
    return log;
  }

  /** Resolves once `update` is in storage. */
  append(update: Uint8Array): Promise<void> {
    if (this.queued) {
      this.queued.updates.push(update);
      return this.queued.stored;
    }
    const updates = [update];
    const stored = Promise.all([this.tail, new Promise((resolve) => setTimeout(resolve, this.batchMs))])
      .then(() => {
        // From here on, new updates go to the next batch.
        if (this.queued?.updates === updates) this.queued = null;
        return this.store(updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates));
      })
      .then(() => undefined);
    this.queued = { updates, stored };
    this.tail = stored.catch(() => undefined);
    return stored;
  }

  /** Resolves once every update appended so far is in storage. */
  flush(): Promise<void> {
    return this.queued ? this.queued.stored : this.tail;
  }
}
