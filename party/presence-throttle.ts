import { type Awareness, applyAwarenessUpdate } from "y-protocols/awareness";
import { PRESENCE_FRAME_MS } from "../shared/room-protocol";
import { type AwarenessEntry, encodeAwarenessEntries } from "./sync";

/** Origin of the frames the throttle applies, so listeners can tell them from other changes. */
export const PRESENCE_FRAME_ORIGIN = Symbol("presence-frame");

/**
 * Presence at 30 fps: awareness entries are coalesced per client (the highest clock wins) and
 * applied to the room's awareness at most once per frame, all clients that changed in one update.
 * y-partykit's awareness listener then sends that update to every connection as one message, so a
 * client sending 144 updates a second reaches its peers at most 30 times a second.
 */
export class PresenceThrottle {
  private readonly pending = new Map<number, AwarenessEntry>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastFrameAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly awareness: Awareness,
    private readonly frameMs = PRESENCE_FRAME_MS,
  ) {}

  offer(entries: readonly AwarenessEntry[]): void {
    for (const entry of entries) {
      const queued = this.pending.get(entry.clientID);
      // y-protocols' rule: a newer clock wins; at an equal clock only a removal does.
      if (!queued || entry.clock > queued.clock || (entry.clock === queued.clock && entry.stateJson === "null")) {
        this.pending.set(entry.clientID, entry);
      }
    }
    if (this.pending.size > 0) this.schedule();
  }

  /** Drops queued entries of clients that are gone, so a frame never brings them back. */
  forget(clientIDs: Iterable<number>): void {
    for (const clientID of clientIDs) this.pending.delete(clientID);
  }

  destroy(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
  }

  private schedule(): void {
    if (this.timer) return;
    // The first change after a quiet spell goes out in this turn of the event loop; later ones wait
    // for the frame boundary. A zero delay still batches every message already received.
    const wait = Math.max(0, this.lastFrameAt + this.frameMs - Date.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = null;
    if (this.pending.size === 0) return;
    this.lastFrameAt = Date.now();
    const update = encodeAwarenessEntries(this.pending.values());
    this.pending.clear();
    applyAwarenessUpdate(this.awareness, update, PRESENCE_FRAME_ORIGIN);
  }
}
