// What Idempotency-Key costs a mutating route: req/s of PATCH /v1/orgs/:org/projects/:id (a state
// change, each one a D1 write) with a fresh key on every request (claim, run, seal and store the
// answer) and with one key replayed (the stored answer opened and sent again), each against the
// same PATCH without the header (the middleware then does nothing) in the same Worker.
import { randomUUID } from "node:crypto";
import { compareAlternating } from "./lib/compare.mjs";
import { LOAD_SETTINGS } from "./lib/load.mjs";
import { call, createSignedInUserWithOrg } from "./lib/plaza-api.mjs";
import { fmt, ratioAgainstGoal, THROUGHPUT_HEADER, table, throughputRow } from "./lib/print.mjs";

export const description =
  "PATCH a project with a fresh Idempotency-Key each, and replaying one key, vs the same PATCH without one (req/s ratios, goal ≥ 0.6)";

const RATIO_GOAL = 0.6;
const ROUNDS = 2;

/** @param {{ worker: () => Promise<{ url: string }>, log: (line?: string) => void }} ctx */
export async function run({ worker, log }) {
  const { url } = await worker();
  const { accessToken, orgId } = await createSignedInUserWithOrg(url);
  const project = await call(url, "POST", `/v1/orgs/${orgId}/projects`, { token: accessToken, body: { name: "Bench project" } });
  const path = `/v1/orgs/${orgId}/projects/${project.id}`;
  const headers = { authorization: `Bearer ${accessToken}`, "content-type": "application/json" };
  const body = JSON.stringify({ state: { theme: "dark", panels: ["files", "preview"], fontSize: 14 } });
  const patch = (extra) => ({ url: `${url}${path}`, requests: [{ method: "PATCH", path, headers: { ...headers, ...extra() }, body }] });
  // autocannon reuses a request's headers; setupRequest gives each request its own key.
  const freshKeys = {
    url: `${url}${path}`,
    requests: [
      { method: "PATCH", path, body, setupRequest: (req) => ({ ...req, headers: { ...headers, "idempotency-key": randomUUID() } }) },
    ],
  };
  const replayKey = randomUUID();

  const { durationS, warmupS, connections } = LOAD_SETTINGS;
  log(`${ROUNDS} rounds of each pair, alternating; each ${warmupS} s warm-up + ${durationS} s, ${connections} connections`);
  const print = (name) => (label, r) =>
    log(
      `  ${(label === "baseline" ? "PATCH, no key" : name).padEnd(22)} ${fmt.rps(r.requestsPerSec).padStart(12)}  p50 ${fmt.ms(r.p50Ms)}  p99 ${fmt.ms(r.p99Ms)}`,
    );
  const fresh = await compareAlternating({
    baseline: patch(() => ({})),
    target: freshKeys,
    rounds: ROUNDS,
    onRun: print("PATCH, fresh key"),
  });
  const replay = await compareAlternating({
    baseline: patch(() => ({})),
    target: patch(() => ({ "idempotency-key": replayKey })),
    rounds: ROUNDS,
    onRun: print("PATCH, replayed key"),
  });

  log();
  log(
    table(THROUGHPUT_HEADER, [
      throughputRow("baseline: PATCH, no key (mean)", fresh.baseline),
      throughputRow("target:   PATCH, fresh key (mean)", fresh.target),
      throughputRow("baseline: PATCH, no key (mean)", replay.baseline),
      throughputRow("target:   PATCH, replayed (mean)", replay.target),
    ]),
  );
  log(`ratio fresh key ÷ no key: ${ratioAgainstGoal(fresh.ratio, RATIO_GOAL)}`);
  log(`ratio replayed ÷ no key: ${fmt.ratio(replay.ratio)}`);

  return {
    metrics: [
      { name: "no key req/s", value: fresh.baseline.requestsPerSec, display: fmt.rps(fresh.baseline.requestsPerSec) },
      { name: "fresh key req/s", value: fresh.target.requestsPerSec, display: fmt.rps(fresh.target.requestsPerSec) },
      { name: "ratio fresh key ÷ no key", value: fresh.ratio, display: ratioAgainstGoal(fresh.ratio, RATIO_GOAL) },
      { name: "ratio replayed ÷ no key", value: replay.ratio, display: fmt.ratio(replay.ratio) },
    ],
    details: { settings: { ...LOAD_SETTINGS, rounds: ROUNDS }, fresh, replay },
  };
}
