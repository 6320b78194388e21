// Setup file of the e2e vitest project. Each test file gets a fresh owner id in OWNER_ENV, which
// everything it starts inherits (servers and their workerd, Chromium, `npm start` and its
// services); after the file, whatever still carries the id is stopped. A file's own afterAll stops
// what it started; this catches what a timed-out start, hook or test left without a handle.
// aroundAll, not afterAll: vitest skips the remaining afterAll hooks once one fails.
import { randomUUID } from "node:crypto";
import { aroundAll } from "vitest";
import { killMarkedNow, OWNER_ENV, stopMarked } from "./owned-processes.mjs";
import { E2E_LIMITS } from "./wait-budgets.mjs";

/** Owner ids of this worker process start with its pid, so the exit net below finds every file's. */
const workerPrefix = `${process.pid}:`;

aroundAll(async (runSuite) => {
  const owner = `${workerPrefix}${randomUUID()}`;
  process.env[OWNER_ENV] = owner;
  try {
    await runSuite();
  } finally {
    const left = await stopMarked(OWNER_ENV, (value) => value === owner);
    if (left.length > 0)
      console.warn(
        `[e2e] stopped ${left.length} process(es) the test file left running:\n${left.map((p) => `  ${p.pid} ${p.command.slice(0, 200)}`).join("\n")}`,
      );
  }
  // Not hookTimeout (20 min): stopping takes at most two WAIT.processStop, so a hang shows sooner.
}, E2E_LIMITS.cleanupTimeout);

// When the worker itself is ended (vitest's teardown, Ctrl-C) while a test still runs, nothing
// waits for the aroundAll above: kill what is marked at once, then let the signal do what it would.
const installed = Symbol.for("plaza.e2e-cleanup.exit-net");
if (!globalThis[installed]) {
  globalThis[installed] = true;
  const killLeftovers = () => killMarkedNow(OWNER_ENV, (value) => value.startsWith(workerPrefix));
  process.once("exit", killLeftovers);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.once(signal, function onSignal() {
      killLeftovers();
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}
