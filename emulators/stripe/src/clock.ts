/**
 * Emulator time: real time plus an offset that `POST /_emulator/clock/advance` grows, so renewals can
 * be tested without waiting. While billing work runs for a moment in the past (a period boundary, a
 * test clock's frozen time), `at()` pins "now" to that moment so everything created carries it.
 * Work inside `at()` is synchronous (SQLite calls only), so the pin cannot leak into another request.
 */
export class Clock {
  private pinned: number | undefined;

  constructor(
    private readonly sql: SqlStorage,
    private offset = 0,
  ) {
    sql.exec("CREATE TABLE IF NOT EXISTS emulator_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    const row = sql.exec<{ value: string }>("SELECT value FROM emulator_settings WHERE key = 'clock_offset'").toArray()[0];
    this.offset = row ? Number(row.value) : offset;
  }

  /** Unix seconds as the emulator sees them. */
  now(): number {
    return this.pinned ?? realSeconds() + this.offset;
  }

  get offsetSeconds(): number {
    return this.offset;
  }

  /** Moves emulator time forward (never back: Stripe objects would otherwise be created before their parents). */
  advance(seconds: number): number {
    this.offset += seconds;
    this.sql.exec("INSERT OR REPLACE INTO emulator_settings (key, value) VALUES ('clock_offset', ?)", String(this.offset));
    return this.now();
  }

  /** Runs `work` with "now" pinned to `time`. */
  at<T>(time: number, work: () => T): T {
    const previous = this.pinned;
    this.pinned = time;
    try {
      return work();
    } finally {
      this.pinned = previous;
    }
  }
}

/** Wall-clock seconds: for what must match the real world (webhook signature timestamps). */
export const realSeconds = () => Math.floor(Date.now() / 1000);
