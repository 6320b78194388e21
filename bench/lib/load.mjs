// autocannon with the suite's fixed settings: warm up, then measure for a fixed duration.
import autocannon from "autocannon";

const numberFromEnv = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);

export const LOAD_SETTINGS = {
  durationS: numberFromEnv("BENCH_DURATION", 10),
  warmupS: numberFromEnv("BENCH_WARMUP", 2),
  connections: numberFromEnv("BENCH_CONNECTIONS", 10),
};

function fire(url, headers, durationS, connections, requests) {
  return autocannon({ url, headers, duration: durationS, connections, ...(requests ? { requests } : {}) });
}

/**
 * `requests` (optional): autocannon's request list, e.g. `[{ path: "/a" }, { path: "/b" }]`;
 * every connection cycles through it in order, against the origin of `url`.
 * @returns {Promise<{ requestsPerSec: number, p50Ms: number, p99Ms: number, requests: number }>}
 * Rejects when any response was not 2xx: a fast stream of 401s is not a measurement.
 */
export async function measureThroughput({ url, headers = {}, requests, ...overrides }) {
  const { durationS, warmupS, connections } = { ...LOAD_SETTINGS, ...overrides };
  if (warmupS > 0) await fire(url, headers, warmupS, connections, requests);
  const r = await fire(url, headers, durationS, connections, requests);
  if (r.non2xx || r.errors || r.timeouts) {
    throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts in ${r.requests.total} requests`);
  }
  return { requestsPerSec: r.requests.total / r.duration, p50Ms: r.latency.p50, p99Ms: r.latency.p99, requests: r.requests.total };
}
