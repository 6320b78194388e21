import type { RoomEvent, RoomEventsBody } from "../shared/room-callbacks";

const MAX_EVENTS_PER_POST = 100;
/** Joins and leaves that happen together (a page reload, a team opening a project) share a POST. */
const BATCH_DELAY_MS = 50;
/** Room storage keys of events the Worker has not taken yet (y-partykit's own keys start `"v1"#`). */
const STORED_PREFIX = "room-event:";
/** Durable Object storage deletes at most 128 keys per call. */
const DELETE_CHUNK = 128;

export const newRoomEventId = () => `rev_${crypto.randomUUID().replaceAll("-", "")}`;

/** The Worker answered that it will never take these events (a 4xx other than 429): retrying cannot help. */
export class EventsRefused extends Error {}

/** The part of the room's storage the queue uses. */
export interface EventStore {
  put(key: string, value: RoomEvent): Promise<void>;
  delete(keys: string[]): Promise<number>;
  list<T>(options: { prefix: string }): Promise<Map<string, T>>;
}

/**
 * Room events on their way to the Worker: sent in batches, one POST at a time (the sender retries
 * each with backoff). Pushing never waits, so the socket is never held up by the Worker.
 *
 * Every event is kept in room storage until the Worker takes it (the Worker records an event id
 * once, so sending one twice is harmless). What the Worker could not take goes again with the
 * next event, and `resume` sends what an evicted or restarted room left behind.
 */
export class RoomEventQueue {
  /** Not yet taken by the Worker, oldest first. */
  private readonly unsent = new Map<string, RoomEvent>();
  private draining: Promise<void> | null = null;

  constructor(
    private readonly post: (body: RoomEventsBody) => Promise<void>,
    private readonly store: EventStore | null = null,
  ) {}

  push(event: RoomEvent): void {
    this.unsent.set(event.id, event);
    this.store?.put(STORED_PREFIX + event.id, event).catch((err) => logError("room event could not be stored", err));
    this.scheduleDrain();
  }

  /** Sends the events an earlier run of this room stored and never got to the Worker. */
  async resume(): Promise<void> {
    if (!this.store) return;
    const stored = [...(await this.store.list<RoomEvent>({ prefix: STORED_PREFIX })).values()].sort((a, b) => a.at - b.at);
    for (const event of stored) if (!this.unsent.has(event.id)) this.unsent.set(event.id, event);
    if (stored.length) this.scheduleDrain();
  }

  private scheduleDrain(): void {
    this.draining ??= this.drain().finally(() => {
      this.draining = null;
    });
  }

  private async drain(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, BATCH_DELAY_MS));
    while (this.unsent.size > 0) {
      const events = [...this.unsent.values()].slice(0, MAX_EVENTS_PER_POST);
      try {
        await this.post({ events });
      } catch (err) {
        if (!(err instanceof EventsRefused)) {
          // Kept, here and in storage, for the next event or the room's next start; not retried at once, which would only loop.
          logError("room events not delivered yet", err, events.length);
          return;
        }
        logError("room events refused by the Worker, dropped", err, events.length);
      }
      await this.forget(events);
    }
  }

  private async forget(events: RoomEvent[]): Promise<void> {
    for (const e of events) this.unsent.delete(e.id);
    const keys = events.map((e) => STORED_PREFIX + e.id);
    for (let i = 0; i < keys.length && this.store; i += DELETE_CHUNK) {
      await this.store
        .delete(keys.slice(i, i + DELETE_CHUNK))
        .catch((err) => logError("sent room events could not be removed from storage", err));
    }
  }
}

function logError(message: string, err: unknown, count?: number) {
  console.error(JSON.stringify({ level: "error", message, count, error: String(err) }));
}
