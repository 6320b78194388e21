import { DurableObject } from "cloudflare:workers";

/** One key's fixed window: when it began and ends (ms), and the hits it counted. */
export interface WindowState {
  start: number;
  end: number;
  count: number;
}

/** What `take` answers: the hits it counted, in which window (the one to give them back to). */
export interface TakeResult {
  taken: number;
  start: number;
  end: number;
}

const STATE = "window";
/**
 * A window's storage goes this long after the window ends (its alarm), so a caller whose clock
 * lags a little behind still finds the count and cannot start the window afresh.
 */
export const FORGET_AFTER_MS = 60_000;

/**
 * One rate-limit key's counter (`env.RATE_LIMITS.getByName(key)`, worker/src/http/rate-limit.ts).
 * A Durable Object runs its methods one at a time and these do no I/O but synchronous storage
 * calls, so each take reads and writes the count with nothing in between: a burst from any
 * number of isolates gets exactly `limit` through. Its alarm deletes the storage once the window
 * has ended, so no purge job is needed and an idle key costs nothing.
 */
export class RateLimitCounter extends DurableObject {
  private read() {
    return this.ctx.storage.kv.get<WindowState>(STATE);
  }

  /**
   * Counts up to `hits` in the window `now` falls in and answers how many there was room for;
   * only those are counted. A window never goes back: a caller whose clock is behind the one that
   * began the current window counts in that window.
   */
  async take(hits: number, limit: number, windowMs: number, now: number): Promise<TakeResult> {
    const state = this.read();
    const start = Math.max(now - (now % windowMs), state?.start ?? 0);
    const window = state?.start === start ? state : { start, end: start + windowMs, count: 0 };
    const taken = Math.max(0, Math.min(hits, limit - window.count));
    if (taken > 0) this.ctx.storage.kv.put<WindowState>(STATE, { ...window, count: window.count + taken });
    if (taken > 0 && window !== state) await this.ctx.storage.setAlarm(window.end + FORGET_AFTER_MS);
    return { taken, start: window.start, end: window.end };
  }

  /** Uncounts `hits` taken in the window that began at `start`; nothing once another window began. */
  giveBack(hits: number, start: number) {
    const state = this.read();
    if (state?.start === start) this.ctx.storage.kv.put<WindowState>(STATE, { ...state, count: Math.max(0, state.count - hits) });
  }

  /** Forgets every hit (a login that succeeded clears its account's failures). */
  async clear() {
    await this.ctx.storage.deleteAll();
  }

  /** The current window, if any: for tests and operators. */
  peek(): WindowState | null {
    return this.read() ?? null;
  }

  override async alarm() {
    const state = this.read();
    if (state && Date.now() < state.end + FORGET_AFTER_MS) await this.ctx.storage.setAlarm(state.end + FORGET_AFTER_MS);
    else await this.ctx.storage.deleteAll();
  }
}
