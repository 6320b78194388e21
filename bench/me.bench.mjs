// Requests/s of an authenticated GET /v1/me against the bare Hono route in the same workerd.
import { compareAlternating } from "./lib/compare.mjs";
import { LOAD_SETTINGS } from "./lib/load.mjs";
import { assertBareRouteServedByWorker, createSignedInUserWithOrg } from "./lib/plaza-api.mjs";
import { fmt, ratioAgainstGoal, THROUGHPUT_HEADER, table, throughputRow } from "./lib/print.mjs";

export const description = "authenticated GET /v1/me vs bare GET /__bench/bare (req/s ratio, goal ≥ 0.5)";

const RATIO_GOAL = 0.5;
const ROUNDS = 2;

/** @param {{ worker: () => Promise<{ url: string }>, log: (line?: string) => void }} ctx */
export async function run({ worker, log }) {
  const { url } = await worker();
  await assertBareRouteServedByWorker(url);
  const { accessToken } = await createSignedInUserWithOrg(url);

  const { durationS, warmupS, connections } = LOAD_SETTINGS;
  log(`${ROUNDS} rounds of each, alternating; each ${warmupS} s warm-up + ${durationS} s, ${connections} connections`);
  const rows = [];
  const result = await compareAlternating({
    baseline: { url: `${url}/__bench/bare` },
    target: { url: `${url}/v1/me`, headers: { authorization: `Bearer ${accessToken}` } },
    rounds: ROUNDS,
    onRun: (label, r) => {
      const name = label === "baseline" ? "GET /__bench/bare" : "GET /v1/me (auth)";
      log(`  ${name.padEnd(18)} ${fmt.rps(r.requestsPerSec).padStart(12)}  p50 ${fmt.ms(r.p50Ms)}  p99 ${fmt.ms(r.p99Ms)}`);
      rows.push([name, r]);
    },
  });

  log();
  log(
    table(THROUGHPUT_HEADER, [
      throughputRow("baseline: GET /__bench/bare (mean)", result.baseline),
      throughputRow("target:   GET /v1/me (mean)", result.target),
    ]),
  );
  log(`ratio /v1/me ÷ bare: ${ratioAgainstGoal(result.ratio, RATIO_GOAL)}`);

  return {
    metrics: [
      { name: "bare req/s", value: result.baseline.requestsPerSec, display: fmt.rps(result.baseline.requestsPerSec) },
      { name: "/v1/me req/s", value: result.target.requestsPerSec, display: fmt.rps(result.target.requestsPerSec) },
      { name: "/v1/me p50 / p99", value: result.target.p50Ms, display: `${fmt.ms(result.target.p50Ms)} / ${fmt.ms(result.target.p99Ms)}` },
      { name: "ratio /v1/me ÷ bare", value: result.ratio, display: ratioAgainstGoal(result.ratio, RATIO_GOAL) },
    ],
    details: { settings: { ...LOAD_SETTINGS, rounds: ROUNDS }, ...result },
  };
}
