// Finds and stops processes by a mark in their environment. Every descendant inherits it: servers
// in their own process groups, the workerd and esbuild they spawn, Chromium and its helpers, and
// `npm start` with all it starts; so what a test started can be found even when no handle to it
// survived a timeout. Reads /proc: on systems without it nothing is found.
import { readdirSync, readFileSync } from "node:fs";
import { WAIT } from "./wait-budgets.mjs";

/** The variable the e2e setup (scripts/lib/e2e-cleanup.ts) sets to a fresh owner id per test file. */
export const OWNER_ENV = "PLAZA_PROCESS_OWNER";

/**
 * Live processes (never this one) whose environment sets `name` to a value `matches` accepts.
 * @param {string} name
 * @param {(value: string) => boolean} matches
 * @returns {{ pid: number, command: string }[]}
 */
export function processesMarked(name, matches) {
  let pids;
  try {
    pids = readdirSync("/proc")
      .filter((entry) => /^\d+$/.test(entry))
      .map(Number);
  } catch {
    return [];
  }
  const found = [];
  const prefix = `${name}=`;
  for (const pid of pids) {
    if (pid === process.pid) continue;
    try {
      // A zombie's environ reads empty: it is already gone, only not yet reaped.
      const entry = readFileSync(`/proc/${pid}/environ`, "utf8")
        .split("\0")
        .find((kv) => kv.startsWith(prefix));
      if (entry === undefined || !matches(entry.slice(prefix.length))) continue;
      found.push({ pid, command: readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim() });
    } catch {
      // It ended while we looked.
    }
  }
  return found;
}

/** SIGKILLs every process marked so, at once: for exit and signal handlers, which cannot wait. */
export function killMarkedNow(name, matches) {
  for (const { pid } of processesMarked(name, matches)) signal(pid, "SIGKILL");
}

/**
 * SIGTERM to every process marked so, SIGKILL to any still there after `graceMs`; resolves with
 * the ones it found once none is left, or throws naming the ones that outlived SIGKILL too.
 * @returns {Promise<{ pid: number, command: string }[]>}
 */
export async function stopMarked(name, matches, { graceMs = WAIT.processStop } = {}) {
  const found = processesMarked(name, matches);
  if (found.length === 0) return found;
  for (const { pid } of found) signal(pid, "SIGTERM");
  const killAt = Date.now() + graceMs;
  const giveUpAt = killAt + graceMs;
  for (;;) {
    // Scanned again each time: a process may have spawned a child after the last scan.
    const left = processesMarked(name, matches);
    if (left.length === 0) return found;
    if (Date.now() > giveUpAt) throw new Error(`still running after SIGKILL:\n${left.map((p) => `  ${p.pid} ${p.command}`).join("\n")}`);
    if (Date.now() > killAt) for (const { pid } of left) signal(pid, "SIGKILL");
    await new Promise((r) => setTimeout(r, 50));
  }
}

function signal(pid, name) {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** The current e2e test file's processes that still run: what it started (see e2e-cleanup.mjs). */
export function testFileProcesses() {
  return processesMarked(OWNER_ENV, isThisTestFile());
}

/** Stops the current e2e test file's processes, as e2e-cleanup.mjs does after the file. */
export function stopTestFileProcesses() {
  return stopMarked(OWNER_ENV, isThisTestFile());
}

function isThisTestFile() {
  const owner = process.env[OWNER_ENV];
  if (!owner) throw new Error(`${OWNER_ENV} is not set: run this in the e2e vitest project (its setup file sets it)`);
  return (value) => value === owner;
}
