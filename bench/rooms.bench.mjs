// Collaboration rooms: Y.js edit round-trip latency and fan-out throughput with 2, 10 and 50 real
// clients in one room, Plaza's rooms under `partykit dev` against the reference Y.js server
// `@y/websocket-server`, both started by this bench and measured in turns in the same run.
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { setImmediate as nextTurn } from "node:timers/promises";
import { secret } from "../scripts/lib/processes.mjs";
import { fmt, ratioAgainstGoal, table } from "./lib/print.mjs";
import { applyEdit, clockOf, connectRoom, editTrace, withTimeout } from "./lib/room-peers.mjs";
import { startBareYPartyKit, startPlazaRooms, startReferenceServer } from "./lib/room-servers.mjs";
import { quantile } from "./lib/timing.mjs";
import { allowExtensionlessTsImports } from "./lib/ts-imports.mjs";

export const description =
  "Y.js rooms: edit round-trip p50/p99 and fan-out throughput, 2/10/50 clients, plaza (partykit dev) vs @y/websocket-server (ratio, goal ≥ 1.0)";

const RATIO_GOAL = 1.0;
const QUICK = process.env.BENCH_QUICK === "1";
const CLIENT_COUNTS = (process.env.BENCH_ROOM_CLIENTS ?? "2,10,50").split(",").map(Number);
const ROUNDS = Number(process.env.BENCH_ROOM_ROUNDS ?? (QUICK ? 1 : 2));
/** Sequential edits timed one at a time, per room. */
const LATENCY_EDITS = Number(process.env.BENCH_ROOM_LATENCY_EDITS ?? (QUICK ? 50 : 100));
/** Edits of the fixed trace sent as fast as the writers can, per room. */
const TRACE_EDITS = Number(process.env.BENCH_ROOM_TRACE_EDITS ?? (QUICK ? 300 : 500));
/** Two writers, so the server also merges concurrent edits, not only relays one stream. */
const WRITERS = 2;
/** Edits the writers make per event-loop turn: lets the same process read its sockets in between. */
const BURST = 50;
const WARMUP = { clients: 10, latencyEdits: 20, traceEdits: 200 };
/** Bare y-partykit rooms under a second `partykit dev`, at one size: where Plaza's time goes. */
const BREAKDOWN = { enabled: process.env.BENCH_ROOM_BREAKDOWN !== "0", clients: 10 };
/** Parent directory of the rooms' local storage (default: the OS temp dir, on disk here); e.g. /dev/shm. */
const STATE_PARENT = process.env.BENCH_ROOM_STATE_DIR || undefined;
/** The case: a 144 Hz cursor must reach each peer at most 30 times a second. */
const AWARENESS = { clients: 10, hz: 144, seconds: QUICK ? 1 : 2, throttleFps: 30 };
const EDIT_TIMEOUT_MS = 30_000;
const FANOUT_TIMEOUT_MS = 90_000;

const rate = (v) => `${Math.round(v).toLocaleString("en-US")} updates/s`;

/** @param {{ log: (line?: string) => void, onAbort?: (stop: () => Promise<void>) => () => void }} ctx */
export async function run({ log, onAbort = () => () => {} }) {
  allowExtensionlessTsImports();
  const { mintRoomToken } = await import("../worker/src/rooms/token.ts");
  const roomTokenSecret = secret();
  const tokensFor = (room, n) =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        mintRoomToken(roomTokenSecret, { sub: `usr_bench${i}`, room, role: "write", name: `Bench ${i}`, sid: `ses_bench${i}` }).then(
          (t) => t.token,
        ),
      ),
    );

  const startedAt = Date.now();
  // All at once, so their startups overlap; the idle ones cost next to nothing while another is measured.
  const starting = [
    startReferenceServer(),
    startPlazaRooms({ roomTokenSecret, stateParent: STATE_PARENT }),
    BREAKDOWN.enabled ? startBareYPartyKit({ stateParent: STATE_PARENT }) : null,
  ];
  const unregister = starting.map((p) => onAbort(async () => (await Promise.resolve(p).catch(() => null))?.stop()));
  const started = await Promise.allSettled(starting);
  try {
    const failed = started.find((s) => s.status === "rejected");
    if (failed) throw failed.reason;
    const [reference, plaza, bare] = started.map((s) => s.value);
    const trace = editTrace(TRACE_EDITS);
    const measure = (server, clients, edits = { latency: LATENCY_EDITS, trace }) => measureRoom(server, clients, edits, tokensFor);

    // Unmeasured: lets workerd and both Node processes JIT the paths the runs take.
    const warmTrace = trace.slice(0, WARMUP.traceEdits);
    const all = [reference, plaza, ...(bare ? [bare.bare, bare.persisted] : [])];
    for (const server of all) await measure(server, WARMUP.clients, { latency: WARMUP.latencyEdits, trace: warmTrace });
    log(
      `setup ${((Date.now() - startedAt) / 1000).toFixed(1)} s: ${plaza.name} at ${plaza.host} (room storage under ${STATE_PARENT ?? "the OS temp dir"}), ` +
        `${reference.name} at ${reference.host} (in memory); warm-up room of ${WARMUP.clients} on each`,
    );
    log(
      `per room: ${LATENCY_EDITS} sequential edits by one client (latency), then the ${TRACE_EDITS}-edit trace by ${WRITERS} writers, ${BURST} edits per turn (throughput); ` +
        `${ROUNDS} round(s) per size, servers alternating; clients: y-partykit's provider, in this process`,
    );
    const runs = await measureSizes([reference, plaza], measure, log);
    const breakdown = bare ? await measureBreakdown([reference, bare.bare, bare.persisted, plaza], measure, log) : [];
    const awareness = [];
    for (const server of [reference, plaza]) awareness.push({ server: server.name, ...(await measureAwareness(server, tokensFor)) });
    return report({ log, runs, breakdown, awareness, plaza, reference });
  } finally {
    await Promise.all(started.filter((s) => s.status === "fulfilled" && s.value).map((s) => s.value.stop()));
    for (const off of unregister) off();
  }
}

/** Every size, ROUNDS times, the two servers in turns (which one goes first alternates). */
async function measureSizes([reference, plaza], measure, log) {
  const runs = [];
  for (const clients of CLIENT_COUNTS) {
    for (let round = 0; round < ROUNDS; round++) {
      for (const server of round % 2 === 0 ? [reference, plaza] : [plaza, reference]) {
        const r = await measure(server, clients);
        runs.push({ server: server.name, clients, round, ...r });
        log(`  ${server.name.padEnd(22)} ${String(clients).padStart(3)} clients  ${describeRun(r)}`);
      }
    }
  }
  return runs;
}

async function measureBreakdown(servers, measure, log) {
  log(
    `breakdown at ${BREAKDOWN.clients} clients, one room each (bare y-partykit under a second partykit dev, without and with snapshot persistence):`,
  );
  const runs = [];
  for (const server of servers) {
    const r = await measure(server, BREAKDOWN.clients);
    runs.push({ server: server.name, clients: BREAKDOWN.clients, ...r });
    log(`  ${server.name.padEnd(22)} ${String(BREAKDOWN.clients).padStart(3)} clients  ${describeRun(r)}`);
  }
  return runs;
}

/** A fresh room with `clients` synced peers: the latency part, then the fan-out part, then a convergence check. */
async function measureRoom(server, clients, edits, tokensFor) {
  const room = `prj_bench${randomBytes(6).toString("hex")}`;
  const connectStarted = performance.now();
  const peers = await connectRoom(server, room, await tokensFor(room, clients));
  const connectMs = performance.now() - connectStarted;
  try {
    const latencies = await measureLatency(peers, edits.trace, edits.latency);
    const fanout = await measureFanout(peers, edits.trace);
    assertConverged(peers, server);
    return { connectMs, latencies, ...fanout };
  } finally {
    for (const p of peers) p.destroy();
  }
}

/** Peer 0 edits, one edit at a time; each sample is one peer's delay from the edit to its doc having applied it. */
async function measureLatency(peers, trace, count) {
  const [writer, ...others] = peers;
  const samples = [];
  for (let i = 0; i < count; i++) {
    const sentAt = performance.now();
    applyEdit(writer, trace[i % trace.length]);
    const clock = clockOf(writer);
    const arrivals = await withTimeout(
      Promise.all(others.map((p) => p.reached(writer.doc.clientID, clock))),
      EDIT_TIMEOUT_MS,
      `edit ${i} reaching ${others.length} peers`,
    );
    for (const at of arrivals) samples.push(at - sentAt);
  }
  return samples;
}

/**
 * The trace, split round-robin between the writers, sent as fast as they can; the run ends when
 * every peer has applied every writer's last edit. Each edit is delivered to every peer but its
 * writer, so deliveries = edits × (clients − 1).
 */
async function measureFanout(peers, trace) {
  const writers = peers.slice(0, Math.min(WRITERS, peers.length));
  const startedAt = performance.now();
  for (let i = 0; i < trace.length; i++) {
    applyEdit(writers[i % writers.length], trace[i]);
    if ((i + 1) % BURST === 0) await nextTurn();
  }
  const sentMs = performance.now() - startedAt;
  const finals = writers.map((w) => ({ id: w.doc.clientID, clock: clockOf(w) }));
  const arrivals = await withTimeout(
    Promise.all(peers.flatMap((p) => finals.filter((f) => f.id !== p.doc.clientID).map((f) => p.reached(f.id, f.clock)))),
    FANOUT_TIMEOUT_MS,
    `${trace.length} edits reaching ${peers.length} peers`,
  );
  const elapsedMs = Math.max(...arrivals) - startedAt;
  const deliveries = trace.length * (peers.length - 1);
  return { edits: trace.length, deliveries, sentMs, elapsedMs, perSec: (deliveries * 1000) / elapsedMs };
}

function assertConverged(peers, server) {
  const expected = peers[0].text.toString();
  const diverged = peers.findIndex((p) => p.text.toString() !== expected);
  if (diverged >= 0) throw new Error(`${server.name}: client ${diverged} differs from client 0 after every edit arrived`);
}

/**
 * Presence: one client moves its cursor at `hz` for a while; each peer counts the awareness
 * updates it gets from that client. With Plaza's 30 fps throttle a peer should see ≤ 30/s; the
 * reference server relays every one.
 */
async function measureAwareness(server, tokensFor) {
  const room = `prj_bench${randomBytes(6).toString("hex")}`;
  const peers = await connectRoom(server, room, await tokensFor(room, AWARENESS.clients));
  try {
    const [sender, ...others] = peers;
    const senderId = sender.doc.clientID;
    const counts = others.map(() => 0);
    const listeners = others.map((p, i) => {
      const onUpdate = ({ added, updated }) => {
        if (added.includes(senderId) || updated.includes(senderId)) counts[i]++;
      };
      p.provider.awareness.on("update", onUpdate);
      return () => p.provider.awareness.off("update", onUpdate);
    });
    const total = AWARENESS.hz * AWARENESS.seconds;
    const startedAt = performance.now();
    for (let i = 0; i < total; i++) {
      sender.provider.awareness.setLocalStateField("cursor", { anchor: i, head: i });
      // Paced against the start, not the previous timer, so timer slack does not lower the rate.
      const due = startedAt + ((i + 1) * 1000) / AWARENESS.hz;
      await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
    }
    // Let the last throttled frame (33 ms) and its delivery land before counting.
    await new Promise((r) => setTimeout(r, 200));
    const seconds = (performance.now() - startedAt) / 1000;
    for (const off of listeners) off();
    const perPeer = counts.map((c) => c / seconds).sort((a, b) => a - b);
    return { sent: total, sentPerSec: total / seconds, peerMedianPerSec: quantile(perPeer, 0.5), peerMaxPerSec: perPeer.at(-1) };
  } finally {
    for (const p of peers) p.destroy();
  }
}

function describeRun(r) {
  const sorted = [...r.latencies].sort((a, b) => a - b);
  return (
    `p50 ${fmt.ms(quantile(sorted, 0.5))}  p99 ${fmt.ms(quantile(sorted, 0.99))}  ` +
    `fan-out ${rate(r.perSec).padStart(17)} (${r.edits} edits sent in ${fmt.ms(r.sentMs)}, all delivered after ${fmt.ms(r.elapsedMs)}; connect ${fmt.ms(r.connectMs)})`
  );
}

/** Per server and size: latency percentiles over every sample of its rounds, throughput from total deliveries ÷ total time. */
function summarize(runs, server, clients) {
  const mine = runs.filter((r) => r.server === server && r.clients === clients);
  const sorted = mine.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const perSec = (mine.reduce((a, r) => a + r.deliveries, 0) * 1000) / mine.reduce((a, r) => a + r.elapsedMs, 0);
  return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), samples: sorted.length, perSec, runsPerSec: mine.map((r) => r.perSec) };
}

function report({ log, runs, breakdown, awareness, plaza, reference }) {
  const rows = [];
  const metrics = [];
  const summaries = {};
  for (const clients of CLIENT_COUNTS) {
    const ref = summarize(runs, reference.name, clients);
    const ours = summarize(runs, plaza.name, clients);
    const ratio = ours.perSec / ref.perSec;
    summaries[clients] = { reference: ref, plaza: ours, ratio };
    rows.push([reference.name, clients, fmt.ms(ref.p50), fmt.ms(ref.p99), rate(ref.perSec), ""]);
    rows.push([plaza.name, clients, fmt.ms(ours.p50), fmt.ms(ours.p99), rate(ours.perSec), ratioAgainstGoal(ratio, RATIO_GOAL)]);
    metrics.push(
      {
        name: `${clients} clients p50/p99 plaza (ref.)`,
        value: ours.p99,
        display: `${fmt.ms(ours.p50)} / ${fmt.ms(ours.p99)} (${fmt.ms(ref.p50)} / ${fmt.ms(ref.p99)})`,
      },
      {
        name: `${clients} clients fan-out plaza ÷ ref.`,
        value: ratio,
        display: `${ratioAgainstGoal(ratio, RATIO_GOAL)}; ${rate(ours.perSec)} vs ${rate(ref.perSec)}`,
      },
    );
  }
  log();
  log(table(["server", "clients", "p50", "p99", "throughput", "ratio plaza/reference"], rows));
  log(
    "latency: per-peer delivery of one edit (edit applied by the writer → applied by each other client); throughput: trace deliveries to all peers ÷ time until all converged",
  );

  if (breakdown.length) {
    const refRun = breakdown.find((r) => r.server === reference.name);
    log();
    log(`breakdown, ${BREAKDOWN.clients} clients (one room each; noisier than the table above)`);
    log(
      table(
        ["server", "p50", "p99", "throughput", "÷ reference"],
        breakdown.map((r) => {
          const sorted = [...r.latencies].sort((a, b) => a - b);
          return [
            r.server,
            fmt.ms(quantile(sorted, 0.5)),
            fmt.ms(quantile(sorted, 0.99)),
            rate(r.perSec),
            fmt.ratio(r.perSec / refRun.perSec),
          ];
        }),
      ),
    );
  }
  log();
  log(
    `presence: one client sets its cursor ${AWARENESS.hz}×/s for ${AWARENESS.seconds} s, ${AWARENESS.clients} clients; awareness updates each peer received from it`,
  );
  log(
    table(
      ["server", "sent", "per peer (median)", "per peer (max)", `≤ ${AWARENESS.throttleFps}/s`],
      awareness.map((a) => [
        a.server,
        `${a.sentPerSec.toFixed(0)}/s`,
        `${a.peerMedianPerSec.toFixed(1)}/s`,
        `${a.peerMaxPerSec.toFixed(1)}/s`,
        a.peerMaxPerSec <= AWARENESS.throttleFps + 1 ? "yes" : "no",
      ]),
    ),
  );
  const ours = awareness.find((a) => a.server === plaza.name);
  metrics.push({
    name: `presence per peer, ${AWARENESS.hz} Hz sender`,
    value: ours.peerMaxPerSec,
    display: `${ours.peerMaxPerSec.toFixed(1)}/s max (throttle goal ≤ ${AWARENESS.throttleFps}/s)`,
  });

  return {
    metrics,
    details: {
      settings: {
        clientCounts: CLIENT_COUNTS,
        rounds: ROUNDS,
        latencyEdits: LATENCY_EDITS,
        traceEdits: TRACE_EDITS,
        writers: WRITERS,
        burst: BURST,
      },
      summaries,
      runs: runs.map(({ latencies, ...r }) => ({ ...r, latencySamples: latencies.length })),
      breakdown: breakdown.map(({ latencies, ...r }) => ({ ...r, latencySamples: latencies.length })),
      awareness,
    },
  };
}
