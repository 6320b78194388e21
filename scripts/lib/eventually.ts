import { WAIT } from "./wait-budgets.mjs";

/**
 * How the e2e tests wait: poll `probe` until it returns something other than undefined, null or
 * false, or fail naming `what` once the deadline passes. Errors thrown by the probe count as
 * "not yet" and the last one is reported. Never a fixed sleep. The deadline defaults to
 * WAIT.backgroundWork: what tests poll for is mostly work behind a queue or a room.
 */
export async function eventually<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  { timeoutMs = WAIT.backgroundWork, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
