// How long the e2e tests (and `npm start`) wait for each kind of work before giving up. Each is a
// hang guard sized for a 2-core machine whose cores are both busy with other work, not an expected
// duration: a healthy run is done far sooner, and a wait that runs out fails naming what it waited
// for. PLAZA_WAIT_SCALE multiplies them all: 2 on a slower machine, 0.01 to force a timeout and see
// that nothing is left running (vitest's own limits only ever grow). Types: wait-budgets.d.mts.
const scale = waitScale(process.env.PLAZA_WAIT_SCALE);
const scaled = (ms) => Math.max(1, Math.round(ms * scale));

export const WAIT = Object.freeze({
  /** One `wrangler dev` or `partykit dev` answering HTTP, or one wrangler CLI run (migrations, `d1 execute`): seconds when idle. */
  serverStart: scaled(120_000),
  /** `vite build` of web/: about 10 s when idle. */
  webBuild: scaled(180_000),
  /** One Chromium launch through playwright-core (one of two attempts): about 1 s when idle. */
  browserLaunch: scaled(60_000),
  /**
   * One step: a browser action or navigation and what the page shows in reply, one HTTP request to
   * a running server. The default timeout of the tests' browser contexts and of `expect.poll`.
   */
  step: scaled(60_000),
  /**
   * Work done after the request that caused it returned: a queue hop (the consumer sends the mail
   * or webhook or processes the Stripe event; npm start's queues first wait max_batch_timeout, 1 s,
   * for a batch to fill), a room relaying an edit or presence, a snapshot POSTed back.
   * The default of `eventually`.
   */
  backgroundWork: scaled(120_000),
  /** A process group to exit after SIGTERM before it gets SIGKILL; a port to close once its server stopped. */
  processStop: scaled(10_000),
});

/**
 * vitest's limits for the e2e project: above what the waits of one test or hook add up to in
 * practice, so the wait that ran out fails first, with its own message, and the hooks still clean
 * up. `cleanupTimeout` bounds stopping a test file's leftovers (SIGTERM, then SIGKILL: two processStop).
 */
const growOnly = (ms) => Math.round(ms * Math.max(1, scale));
export const E2E_LIMITS = Object.freeze({
  testTimeout: growOnly(10 * 60_000),
  hookTimeout: growOnly(20 * 60_000),
  cleanupTimeout: growOnly(30_000),
});

function waitScale(raw) {
  if (raw === undefined || raw === "") return 1;
  const value = Number(raw);
  if (!(value > 0)) throw new Error(`PLAZA_WAIT_SCALE must be a positive number, not ${JSON.stringify(raw)}`);
  return value;
}
