// `npm test`: the lint (format, lint, boundaries) and type check, Chromium for the browser tests, a fresh web/ build, then every vitest project.
//
// Without arguments the suite runs as two vitest processes side by side: the `e2e` project (its
// servers and browsers each on free ports, with their own state) and every other project (the
// workerd ones). Each mostly keeps one core busy, so on CI's 2 cores this roughly halves the wall
// time. Each line of their output is prefixed with its group, a summary line per group ends the
// run, and the exit status fails if either fails. PLAZA_TEST_SERIAL=1 runs one `vitest run`
// instead; `npm test -- <vitest args>` (a file filter, `--project e2e`, …) runs exactly those.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { bin, NODE22, ROOT } from "./lib/processes.mjs";

const CHROMIUM = "/usr/bin/chromium";
const WEB_CONFIG = join(ROOT, "web/vite.config.ts");
const VITEST = join(ROOT, "node_modules/vitest/vitest.mjs");

/**
 * The two halves of the full suite, as `--project` filters: `e2e`, and every other project (today
 * `worker` and `stripe-emulator`, both in workerd), so a project added later still runs.
 */
const GROUPS = [
  // Two workerd files at a time: a file spends most of its time starting (transform, migrations)
  // and awaiting queues and the emulator, so one at a time left a core idle (alone: 407 s with two,
  // where the half took about 1000 s beside e2e with one).
  { name: "workerd", projects: ["!e2e"], args: ["--maxWorkers=2"], what: "all projects but e2e" },
  { name: "e2e", projects: ["e2e"], args: [], what: "e2e" },
];

function runOrExit(command, args, what, env = {}) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: "inherit", env: { ...process.env, ...env } });
  if (result.status !== 0) {
    console.error(`[test] ${what} failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`})`);
    process.exit(result.status || 1);
  }
}

function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0) {
    console.error(`[test] ${CHROMIUM} is missing and we are not root; install it first: sudo apt-get install -y chromium`);
    process.exit(1);
  }
  console.log(`[test] ${CHROMIUM} missing: installing it with apt-get`);
  const noPrompts = { DEBIAN_FRONTEND: "noninteractive" };
  runOrExit("apt-get", ["update"], "apt-get update", noPrompts);
  runOrExit("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], "apt-get install chromium", noPrompts);
}

/** Copies `stream` to `out` line by line, each line prefixed (a partial last line is flushed at the end). */
function prefixLines(stream, out, prefix) {
  let pending = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk) => {
    const lines = (pending + chunk).split("\n");
    pending = lines.pop();
    if (lines.length) out.write(lines.map((line) => `${prefix}${line}\n`).join(""));
  });
  return new Promise((resolveEnd) =>
    stream.on("end", () => {
      if (pending) out.write(`${prefix}${pending}\n`);
      resolveEnd();
    }),
  );
}

/** Runs one group as its own `vitest run`; resolves with its exit code once its output is drained. */
function runGroup(group, width) {
  const started = Date.now();
  const label = `[${group.name}]`;
  const prefix = `${label.padEnd(width + 2)} `;
  const args = [VITEST, "run", ...group.projects.flatMap((project) => ["--project", project]), ...group.args];
  // Piped output is not a TTY: keep colours when ours is one (vitest then still prints plain lines).
  const color = process.stdout.isTTY && !process.env.NO_COLOR ? { FORCE_COLOR: "1" } : {};
  const child = spawn(NODE22, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...color } });
  const drained = Promise.all([prefixLines(child.stdout, process.stdout, prefix), prefixLines(child.stderr, process.stderr, prefix)]);
  const exited = new Promise((resolveExit) => {
    child.on("error", (err) => resolveExit({ code: 1, error: err.message }));
    child.on("exit", (code, signal) => resolveExit({ code: code ?? 1, error: signal ? `killed by ${signal}` : undefined }));
  });
  return {
    child,
    result: Promise.all([exited, drained]).then(([{ code, error }]) => ({ group, code, error, seconds: (Date.now() - started) / 1000 })),
  };
}

async function runAllGroups() {
  const width = Math.max(...GROUPS.map((group) => group.name.length));
  const runs = GROUPS.map((group) => runGroup(group, width));
  // Ctrl-C reaches the children through the terminal's process group, so SIGINT only must not end
  // us before them; SIGTERM and SIGHUP (CI cancelling) are passed on to both.
  process.on("SIGINT", () => {});
  for (const signal of ["SIGTERM", "SIGHUP"]) {
    process.on(signal, () => {
      for (const { child } of runs) if (child.exitCode === null) child.kill(signal);
    });
  }
  const results = await Promise.all(runs.map((run) => run.result));
  console.log("");
  for (const { group, code, error, seconds } of results) {
    const status = code === 0 ? "passed" : `FAILED (${error ?? `exit ${code}`})`;
    console.log(`[test] ${group.name} (${group.what}): ${status} in ${seconds.toFixed(1)} s`);
  }
  return results.every(({ code }) => code === 0) ? 0 : 1;
}

const vitestArgs = process.argv.slice(2);
// The whole suite starts with the formatter, the linter, the boundary check and the type check
// (seconds, and a red tree should not wait ten minutes to hear it); a filtered run
// (`npm test -- <file>`) skips them.
if (vitestArgs.length === 0) {
  runOrExit("npm", ["run", "--silent", "lint"], "lint (npm run lint: Biome and the boundary check)");
  runOrExit("npm", ["run", "--silent", "typecheck"], "type check (npm run typecheck)");
}
ensureChromium();
// Browser and `npm start` tests serve web/dist through the Worker's assets binding.
if (existsSync(WEB_CONFIG)) runOrExit(NODE22, [bin.vite, "build", "--config", WEB_CONFIG], "web/ build (vite)");
const parallel = process.env.PLAZA_TEST_SERIAL !== "1" && vitestArgs.length === 0;
if (!parallel) {
  const vitest = spawnSync(NODE22, [VITEST, "run", ...vitestArgs], { cwd: ROOT, stdio: "inherit" });
  process.exit(vitest.status ?? 1);
}
// exitCode rather than exit(): piped stdout is written asynchronously and must drain first.
process.exitCode = await runAllGroups();
