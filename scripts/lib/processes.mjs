// Child-process helpers shared by `npm start`, the e2e tests and the benchmarks.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { WAIT } from "./wait-budgets.mjs";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Node 22 from the `node@22` devDependency: wrangler and partykit need it; the machine has 20. */
export const NODE22 = existsSync(join(ROOT, "node_modules/.bin/node")) ? join(ROOT, "node_modules/.bin/node") : process.execPath;

export const bin = {
  wrangler: join(ROOT, "node_modules/wrangler/bin/wrangler.js"),
  partykit: join(ROOT, "node_modules/partykit/dist/bin.mjs"),
  vite: join(ROOT, "node_modules/vite/bin/vite.js"),
};

/**
 * Ports for the servers we start come from below Linux's ephemeral range (32768-60999), where the
 * kernel never hands out the local port of an outgoing connection: a port taken with `listen(0)`
 * and released lies in that range, and the loopback traffic of a busy test run (workerd, wrangler,
 * Chromium) could take it before our server binds it ("Address already in use").
 */
const PORT_RANGE = { from: 20_000, to: 32_767 };

export async function freePort() {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = PORT_RANGE.from + (randomBytes(2).readUInt16BE() % (PORT_RANGE.to - PORT_RANGE.from + 1));
    if (await isPortFree(port)) return port;
  }
  throw new Error(`no free port between ${PORT_RANGE.from} and ${PORT_RANGE.to} after 100 tries`);
}

/** True when nothing listens on 127.0.0.1:`port`, so a server we start there is really ours. */
export function isPortFree(port) {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once("error", () => resolveFree(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolveFree(true)));
  });
}

export const secret = (bytes = 32) => randomBytes(bytes).toString("base64url");

/**
 * Runs a Node script under Node 22 to completion; rejects with its output on failure, or when it
 * is still running after `timeoutMs` (then it is stopped: SIGTERM, SIGKILL after WAIT.processStop).
 */
export function run(script, args, { cwd = ROOT, env = {}, quiet = true, timeoutMs = WAIT.serverStart } = {}) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(NODE22, [script, ...args], { cwd, env: { ...process.env, ...env }, stdio: quiet ? "pipe" : "inherit" });
    let output = "";
    let timedOut = false;
    child.stdout?.on("data", (d) => (output += d));
    child.stderr?.on("data", (d) => (output += d));
    const timers = [
      setTimeout(() => {
        timedOut = true;
        child.kill("SIGTERM");
        timers.push(setTimeout(() => child.kill("SIGKILL"), WAIT.processStop));
      }, timeoutMs),
    ];
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      for (const timer of timers) clearTimeout(timer);
      if (code === 0 && !timedOut) return resolveRun(output);
      const why = timedOut ? `did not finish within ${timeoutMs} ms` : `exited ${code ?? signal}`;
      reject(new Error(`${script} ${args.join(" ")} ${why}\n${output}`));
    });
  });
}

/**
 * Starts a long-running Node script under Node 22 in its own process group, so `stop()` ends it
 * and every child it spawned (workerd, esbuild).
 */
export function startProcess(name, script, args, { cwd = ROOT, env = {}, onOutput } = {}) {
  const child = spawn(NODE22, [script, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  const collect = (d) => {
    output += d;
    if (output.length > 200_000) output = output.slice(-100_000);
    onOutput?.(String(d));
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const exited = new Promise((r) => child.on("exit", r));
  return {
    name,
    child,
    output: () => output,
    exited,
    async stop() {
      // Even when the leader already died, its workerd may still run: signal the whole group.
      if (!groupAlive(child.pid)) return;
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {}
      }, WAIT.processStop);
      await exited;
      clearTimeout(timer);
      await waitForGroupGone(child.pid);
    },
  };
}

/**
 * True while a process of group `pgid` still runs. One that exited stays listed (a zombie) until its
 * parent reaps it: for a leader's orphans that is init, which in some containers takes a second or
 * two. A zombie holds no port or file anymore, so it counts as gone.
 */
const groupAlive = (pgid) => {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  return groupHasLiveProcess(pgid);
};

function groupHasLiveProcess(pgid) {
  let pids;
  try {
    pids = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
  } catch {
    // No /proc: only kill() can tell, and it counts zombies.
    return true;
  }
  for (const pid of pids) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // It ended while we looked.
    }
    // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so read after the last ")".
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(pgrp) === pgid && state !== "Z" && state !== "X") return true;
  }
  return false;
}

/** workerd and esbuild may outlive the group leader by a moment; SIGKILL whatever stays too long. */
async function waitForGroupGone(pgid, timeoutMs = WAIT.processStop) {
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(pgid)) {
    if (Date.now() > deadline) {
      try {
        process.kill(-pgid, "SIGKILL");
      } catch {}
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Polls `url` until it answers (any HTTP status) or the deadline passes. */
export async function waitForHttp(url, { timeoutMs = WAIT.serverStart, process: proc } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc && (proc.child.exitCode !== null || proc.child.signalCode !== null)) {
      throw new Error(`${proc.name} exited before ${url} answered:\n${proc.output().slice(-4000)}`);
    }
    try {
      // A first answer may be slow on a busy machine: an attempt may use what is left of the deadline.
      const res = await fetch(url, { signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) });
      await res.arrayBuffer();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms${proc ? `:\n${proc.output().slice(-4000)}` : ""}`);
}
