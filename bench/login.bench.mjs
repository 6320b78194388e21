// The cost of one login: sequential logins over HTTP (minus a bare request), and one scrypt
// verifyPassword in Node with the Worker's own parameters, as real CPU time.

import { hashPassword, SCRYPT_PARAMS, verifyPassword } from "../worker/src/crypto/password.ts";
import { assertBareRouteServedByWorker, createSignedInUserWithOrg, login } from "./lib/plaza-api.mjs";
import { fmt, table } from "./lib/print.mjs";
import { cpuTimePerCallMs, stats, wallTimeMs } from "./lib/timing.mjs";

export const description = "CPU/wall time of one login: HTTP login minus bare request; verifyPassword CPU time in Node";

const HTTP_LOGINS = Number(process.env.BENCH_LOGINS ?? 30);
const NODE_VERIFICATIONS = Number(process.env.BENCH_VERIFICATIONS ?? 10);
const WARMUP_CALLS = 3;

async function bare(url) {
  const res = await fetch(`${url}/__bench/bare`);
  await res.text();
}

/** Login and bare request in turns, so load from other processes hits both samples alike. */
async function timeHttpLogins(url, user) {
  for (let i = 0; i < WARMUP_CALLS; i++) {
    await bare(url);
    await login(url, user);
  }
  const loginMs = [];
  const bareMs = [];
  for (let i = 0; i < HTTP_LOGINS; i++) {
    bareMs.push(await wallTimeMs(() => bare(url)));
    loginMs.push(await wallTimeMs(() => login(url, user)));
  }
  return { login: stats(loginMs), bare: stats(bareMs) };
}

async function timeNodeVerify() {
  const password = "bench-password-for-node";
  const stored = await hashPassword(password);
  await verifyPassword(password, stored); // warm-up: first call allocates scrypt's 16 MiB
  return cpuTimePerCallMs(async () => {
    if (!(await verifyPassword(password, stored))) throw new Error("verifyPassword rejected its own hash");
  }, NODE_VERIFICATIONS);
}

/** @param {{ worker: () => Promise<{ url: string }>, log: (line?: string) => void }} ctx */
export async function run({ worker, log }) {
  const { url } = await worker();
  await assertBareRouteServedByWorker(url);
  const user = await createSignedInUserWithOrg(url);

  const { N, r, p } = SCRYPT_PARAMS;
  log(`scrypt N=2^${Math.log2(N)}, r=${r}, p=${p}; ${HTTP_LOGINS} sequential HTTP logins, ${NODE_VERIFICATIONS} Node verifications`);
  const http = await timeHttpLogins(url, user);
  const node = await timeNodeVerify();

  const loginCost = { meanMs: http.login.meanMs - http.bare.meanMs, p50Ms: http.login.p50Ms - http.bare.meanMs };
  log();
  log(
    table(
      ["", "mean", "p50", "min", "max"],
      [
        ["HTTP POST /v1/auth/login (wall)", ...[http.login.meanMs, http.login.p50Ms, http.login.minMs, http.login.maxMs].map(fmt.ms)],
        ["HTTP GET /__bench/bare (wall)", ...[http.bare.meanMs, http.bare.p50Ms, http.bare.minMs, http.bare.maxMs].map(fmt.ms)],
      ],
    ),
  );
  log(`(a) login over HTTP minus mean bare request, wall time: mean ${fmt.ms(loginCost.meanMs)}, p50 ${fmt.ms(loginCost.p50Ms)}`);
  log(
    `(b) one verifyPassword in Node ${process.versions.node}: CPU ${fmt.ms(node.cpuMs)} (wall ${fmt.ms(node.wallMs)}), mean of ${node.n}`,
  );

  return {
    metrics: [
      { name: "(a) HTTP login − bare, wall mean", value: loginCost.meanMs, display: fmt.ms(loginCost.meanMs) },
      { name: "(a) HTTP login − bare, wall p50", value: loginCost.p50Ms, display: fmt.ms(loginCost.p50Ms) },
      { name: "(b) Node verifyPassword, CPU", value: node.cpuMs, display: `${fmt.ms(node.cpuMs)} (wall ${fmt.ms(node.wallMs)})` },
    ],
    details: { scrypt: SCRYPT_PARAMS, http, loginCost, nodeVerifyPassword: node },
  };
}
