/**
 * Refreshes something the server is still working on (an image being processed): `check` runs after
 * 1 s, then waits half as long again each time up to 15 s, for as long as it answers true, and
 * stops when it answers false or `signal` aborts (the page was left). `start()` begins again from
 * the shortest wait, e.g. after an upload that leaves something new to wait for.
 */
const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 15_000;
const GROWTH = 1.5;

export function backoffPoller(o: { signal: AbortSignal; check: () => Promise<boolean> }) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let delay = FIRST_DELAY_MS;
  const schedule = () => {
    timer = setTimeout(() => void tick(), delay);
  };
  const tick = async () => {
    timer = undefined;
    if (o.signal.aborted) return;
    // A failed refresh (network) is tried again later, like one that found work still going on.
    const again = await o.check().catch(() => true);
    if (!again || o.signal.aborted || timer !== undefined) return;
    delay = Math.min(delay * GROWTH, MAX_DELAY_MS);
    schedule();
  };
  o.signal.addEventListener("abort", () => clearTimeout(timer));
  return {
    start() {
      clearTimeout(timer);
      delay = FIRST_DELAY_MS;
      schedule();
    },
  };
}
