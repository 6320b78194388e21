import type { RoomEvent, RoomEventsBody } from "../shared/room-callbacks";

const MAX_EVENTS_PER_POST = 100;
/** Joins and leaves that happen together (a page reload, a team opening a project) share a POST. */
const BATCH_DELAY_MS = 50;

export const newRoomEventId = () => `rev_${crypto.randomUUID().replaceAll("-", "")}`;

/**
 * Room events on their way to the Worker: queued, sent in batches, one POST at a time (the sender
 * retries each). Pushing never waits, so the socket is never held up by the Worker.
 */
export class RoomEventQueue {
  private readonly queue: RoomEvent[] = [];
  private draining: Promise<void> | null = null;

  constructor(private readonly post: (body: RoomEventsBody) => Promise<void>) {}

  push(event: RoomEvent): void {
    this.queue.push(event);
    this.draining ??= this.drain().finally(() => {
      this.draining = null;
    });
  }

  private async drain(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, BATCH_DELAY_MS));
    while (this.queue.length > 0) {
      const events = this.queue.splice(0, MAX_EVENTS_PER_POST);
      try {
        await this.post({ events });
      } catch (err) {
        // The client already retried with backoff; the audit log misses these, so say so loudly.
        console.error(JSON.stringify({ level: "error", message: "room events dropped", count: events.length, error: String(err) }));
      }
    }
  }
}
