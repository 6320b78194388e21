// Outgoing webhooks: deliveries/s through the plaza-webhooks queue (consumer, lease, signed fetch,
// attempt log) to a receiver in this process, against a plain fetch loop from the same Worker to
// the same receiver; the first delivery's Standard Webhooks signature is checked once.
import { createServer } from "node:http";
import { Webhook } from "standardwebhooks";
import { assertBareRouteServedByWorker, call, createSignedInUserWithOrg } from "./lib/plaza-api.mjs";
import { fmt, ratioAgainstGoal, table } from "./lib/print.mjs";

export const description =
  "deliveries/s through local Queues (consumer → signed fetch) vs a direct fetch loop in the Worker (ratio, goal ≥ 0.5)";

const RATIO_GOAL = 0.5;
const ROUNDS = 2;
/** wrangler.toml's max_batch_size for plaza-webhooks; the local queue runs one batch at a time. */
const BATCH_SIZE = 100;
/** Deliveries per measured run (a multiple of the batch size, so no partial batch waits out max_batch_timeout). */
const DELIVERIES = Number(process.env.BENCH_WEBHOOK_DELIVERIES ?? 500);
const WARMUP_DELIVERIES = BATCH_SIZE;
/**
 * The baseline's fetches in flight. The consumer holds at most 6 (a deployed Worker's limit on
 * open connections); the baseline gets 10, so the ratio, if anything, understates the queue.
 */
const DIRECT_CONCURRENCY = 10;
/** For reference only: the direct loop at the consumer's own limit, and with one fetch in flight. */
const REFERENCE_CONCURRENCIES = [6, 1];
const RUN_TIMEOUT_MS = 60_000;
const HOOK_PATH = "/hook";
const DIRECT_PATH = "/direct";

const rate = (v) => `${Math.round(v).toLocaleString("en-US")} deliveries/s`;

/** node:http on 127.0.0.1: answers 200 at once, counts requests per path, keeps the first delivery. */
async function startReceiver() {
  const counts = new Map();
  const arrivals = new Map();
  const waiters = [];
  let firstDelivery;
  const server = createServer((req, res) => {
    const path = req.url ?? "";
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const at = Date.now();
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      if (path === HOOK_PATH && !firstDelivery)
        firstDelivery = { body: Buffer.concat(chunks).toString("utf8"), headers: { ...req.headers } };
      const n = (counts.get(path) ?? 0) + 1;
      counts.set(path, n);
      arrivals.get(path)?.push(at);
      for (const w of waiters.filter((w) => w.path === path && n >= w.count)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(at);
      }
    });
  });
  // Like a receiver behind a proxy (nginx: 75 s), not Node's 5 s: the Worker's pooled connection
  // must not be closed under it between runs (that would be a failed attempt, not a slow one).
  server.keepAliveTimeout = 75_000;
  await new Promise((resolve, reject) => server.listen(0, "127.0.0.1", resolve).once("error", reject));
  const { port } = server.address();
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    count: (path) => counts.get(path) ?? 0,
    firstDelivery: () => firstDelivery,
    /** Records every arrival time on `path` from now on (for the gaps between batches). */
    record: (path) => {
      const list = [];
      arrivals.set(path, list);
      return list;
    },
    /** Resolves with the arrival time (ms) of the request that brings `path` to `count`. */
    waitFor(path, count, what, timeoutMs = RUN_TIMEOUT_MS) {
      if (this.count(path) >= count) return Promise.resolve(Date.now());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`the receiver got ${this.count(path)} of ${count} requests on ${path} (${what}) within ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter = {
          path,
          count,
          resolve: (at) => {
            clearTimeout(timer);
            resolve(at);
          },
        };
        waiters.push(waiter);
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  };
}

/** Polls until none of the endpoint's deliveries is pending, then returns the counts by status. */
async function settledDeliveries(url, endpointId, timeoutMs = RUN_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const byStatus = await call(url, "GET", `/__bench/webhooks/deliveries?endpointId=${encodeURIComponent(endpointId)}`);
    if (!byStatus.pending) return byStatus;
    if (Date.now() > deadline)
      throw new Error(`${byStatus.pending.n} deliveries still pending after ${timeoutMs} ms: ${JSON.stringify(byStatus)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** @param {{ worker: () => Promise<{ url: string }>, log: (line?: string) => void }} ctx */
export async function run({ worker, log }) {
  const { url } = await worker();
  await assertBareRouteServedByWorker(url);
  if (!(DELIVERIES > 0 && DELIVERIES % BATCH_SIZE === 0))
    throw new Error(`BENCH_WEBHOOK_DELIVERIES must be a positive multiple of ${BATCH_SIZE}, not ${DELIVERIES}`);
  const receiver = await startReceiver();
  try {
    const setupStarted = Date.now();
    const { accessToken: token, orgId } = await createSignedInUserWithOrg(url);
    const endpoint = await call(url, "POST", `/v1/orgs/${orgId}/webhooks/endpoints`, {
      token,
      body: { url: receiver.url(HOOK_PATH), description: "bench receiver" },
    });
    const { id: endpointId, secret } = endpoint;

    // One delivery through the real API, its signature checked as a receiver would.
    const testStarted = Date.now();
    await call(url, "POST", `/v1/orgs/${orgId}/webhooks/endpoints/${endpointId}/test`, { token });
    await receiver.waitFor(HOOK_PATH, 1, "the test event");
    const testMs = Date.now() - testStarted;
    const first = receiver.firstDelivery();
    const verified = new Webhook(secret).verify(first.body, first.headers);
    if (verified?.type !== "webhook.test")
      throw new Error(`the test delivery verified but is not a webhook.test: ${first.body.slice(0, 200)}`);
    let delivered = 1;

    /** Queues `count` deliveries; resolves when the receiver has them all and D1 has none pending. */
    const queueRun = async (count) => {
      const before = receiver.count(HOOK_PATH);
      const arrivals = receiver.record(HOOK_PATH);
      const sentAt = Date.now();
      const done = receiver.waitFor(HOOK_PATH, before + count, `${count} queued deliveries`);
      done.catch(() => {});
      const produced = await call(url, "POST", "/__bench/webhooks/enqueue", { body: { orgId, endpointId, count } });
      const lastAt = await done.catch(async (err) => {
        const byStatus = await call(url, "GET", `/__bench/webhooks/deliveries?endpointId=${encodeURIComponent(endpointId)}`).catch((e) =>
          String(e),
        );
        // Never-attempted pending deliveries: the messages are gone, most likely because wrangler dev
        // reloaded (a source file changed during the run) and the local queue lives in memory.
        const lost =
          byStatus?.pending && byStatus.pending.attempts === 0
            ? " (never attempted: was wrangler dev reloaded by a file change? its local queue is in memory)"
            : "";
        throw new Error(`${err.message}; D1 has ${JSON.stringify(byStatus)}${lost}`);
      });
      const byStatus = await settledDeliveries(url, endpointId);
      delivered += count;
      if (byStatus.delivered?.n !== delivered || byStatus.failed || byStatus.errors || byStatus.delivered.attempts !== delivered) {
        throw new Error(`after ${delivered} deliveries D1 has ${JSON.stringify(byStatus)} (expected all delivered at the first attempt)`);
      }
      const elapsedMs = lastAt - produced.enqueueStartedAt;
      const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]);
      return {
        count,
        elapsedMs,
        perSec: (count * 1000) / elapsedMs,
        writeMs: produced.writeMs,
        enqueueMs: produced.enqueueMs,
        firstDeliveryMs: arrivals[0] - produced.enqueueStartedAt,
        requestToLastMs: lastAt - sentAt,
        maxGapMs: Math.max(0, ...gaps),
        gapsOver500Ms: gaps.filter((g) => g > 500).length,
      };
    };
    const directRun = async (count, concurrency) => {
      const before = receiver.count(DIRECT_PATH);
      const r = await call(url, "POST", "/__bench/webhooks/direct", { body: { url: receiver.url(DIRECT_PATH), count, concurrency } });
      if (r.sent !== count || r.statuses[200] !== count) throw new Error(`direct loop: ${JSON.stringify(r)}`);
      if (receiver.count(DIRECT_PATH) - before !== count)
        throw new Error(`direct loop: the receiver counted ${receiver.count(DIRECT_PATH) - before} of ${count}`);
      return { count, concurrency, elapsedMs: r.elapsedMs, perSec: (count * 1000) / r.elapsedMs };
    };

    // Warm-up (not measured): both paths once.
    await directRun(WARMUP_DELIVERIES, DIRECT_CONCURRENCY);
    await queueRun(WARMUP_DELIVERIES);
    const setupS = (Date.now() - setupStarted) / 1000;
    log(
      `setup ${setupS.toFixed(1)} s: endpoint ${receiver.url(HOOK_PATH)}; POST …/test delivered in ${testMs} ms and its signature verified with standardwebhooks; ` +
        `warm-up ${WARMUP_DELIVERIES} of each`,
    );
    log(
      `${ROUNDS} rounds of each, alternating; ${DELIVERIES} deliveries per run; batches of ${BATCH_SIZE}; direct loop with ${DIRECT_CONCURRENCY} fetches in flight (the consumer holds at most 6)`,
    );

    const runs = { direct: [], queue: [] };
    for (let i = 0; i < ROUNDS; i++) {
      const d = await directRun(DELIVERIES, DIRECT_CONCURRENCY);
      runs.direct.push(d);
      log(`  ${"direct fetch loop".padEnd(26)} ${rate(d.perSec).padStart(20)}  ${fmt.ms(d.elapsedMs)}`);
      const q = await queueRun(DELIVERIES);
      runs.queue.push(q);
      log(
        `  ${"queue → consumer → fetch".padEnd(26)} ${rate(q.perSec).padStart(20)}  ${fmt.ms(q.elapsedMs)} from the first enqueue ` +
          `(D1 writes before it ${fmt.ms(q.writeMs)}, enqueue ${fmt.ms(q.enqueueMs)}, first delivery after ${fmt.ms(q.firstDeliveryMs)}, largest gap ${fmt.ms(q.maxGapMs)}, gaps > 500 ms: ${q.gapsOver500Ms})`,
      );
    }
    const references = [];
    for (const concurrency of REFERENCE_CONCURRENCIES) {
      const reference = await directRun(DELIVERIES, concurrency);
      references.push(reference);
      log(
        `  ${`direct, ${concurrency} in flight (ref.)`.padEnd(26)} ${rate(reference.perSec).padStart(20)}  ${fmt.ms(reference.elapsedMs)}`,
      );
    }

    // Rates from the total time, so the mean weighs every delivery alike.
    const total = (rs) => (rs.reduce((a, r) => a + r.count, 0) * 1000) / rs.reduce((a, r) => a + r.elapsedMs, 0);
    const direct = total(runs.direct);
    const queued = total(runs.queue);
    const ratio = queued / direct;
    log();
    log(
      table(
        ["", "rate", "per delivery"],
        [
          [`baseline: direct fetch loop (${DIRECT_CONCURRENCY} in flight)`, rate(direct), fmt.ms(1000 / direct)],
          ["target:   through plaza-webhooks", rate(queued), fmt.ms(1000 / queued)],
          ...references.map((r) => [`reference: direct, ${r.concurrency} in flight`, rate(r.perSec), fmt.ms(1000 / r.perSec)]),
        ],
      ),
    );
    log(`ratio queued ÷ direct: ${ratioAgainstGoal(ratio, RATIO_GOAL)}`);
    log(`D1: all ${delivered} deliveries of the endpoint delivered, each at its first attempt`);

    return {
      metrics: [
        { name: "direct fetch deliveries/s", value: direct, display: rate(direct) },
        { name: "queued deliveries/s", value: queued, display: `${rate(queued)} (${fmt.ms(1000 / queued)} each)` },
        { name: "ratio queued ÷ direct", value: ratio, display: ratioAgainstGoal(ratio, RATIO_GOAL) },
      ],
      details: {
        settings: { rounds: ROUNDS, deliveries: DELIVERIES, batchSize: BATCH_SIZE, concurrency: DIRECT_CONCURRENCY },
        setupS,
        testMs,
        runs,
        references,
      },
    };
  } finally {
    await receiver.close();
  }
}
