// The e2e project on a loaded machine: K busy loops (default: one per core) keep the cores busy
// while `vitest run --project e2e` runs N times in a row (default 2). Passes when every run passes
// and leaves no process behind: whatever a run's processes leave running is listed, stopped, and
// fails the proof. The busy loops end with this script, however it ends (they also quit by
// themselves once it is gone).
//   npm run test:e2e:loaded -- [--runs N] [--burners K] [vitest args, e.g. web/webhooks.test.ts]
import { spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { stopMarked } from "./lib/owned-processes.mjs";
import { bin, NODE22, ROOT } from "./lib/processes.mjs";

/** Inherited by everything one vitest run starts, so what it leaves behind can be found. */
const RUN_ENV = "PLAZA_LOAD_PROOF_RUN";
const VITEST = join(ROOT, "node_modules/vitest/vitest.mjs");
const WEB_CONFIG = join(ROOT, "web/vite.config.ts");
/** Spins; about once a second it checks whether its parent is still this script, and quits if not. */
const BURNER = "const parent = process.ppid; for (let n = 0; ; n++) if (n % 2e7 === 0 && process.ppid !== parent) process.exit();";

function parseArgs(argv) {
  const options = { runs: 2, burners: availableParallelism(), vitestArgs: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--runs" || argv[i] === "--burners") {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < (argv[i - 1] === "--runs" ? 1 : 0))
        throw new Error(`${argv[i - 1]} needs a whole number, not ${argv[i]}`);
      options[argv[i - 1].slice(2)] = value;
    } else options.vitestArgs.push(argv[i]);
  }
  return options;
}

const burners = [];
let vitest;
let interrupted = false;

function stopBurners() {
  for (const burner of burners.splice(0)) burner.kill("SIGKILL");
}

function runVitest(args, runId) {
  return new Promise((resolveRun) => {
    const started = Date.now();
    vitest = spawn(NODE22, [VITEST, "run", "--project", "e2e", ...args], {
      cwd: ROOT,
      stdio: "inherit",
      env: { ...process.env, [RUN_ENV]: runId },
    });
    vitest.on("exit", (code, signal) => resolveRun({ code: code ?? 1, signal, seconds: (Date.now() - started) / 1000 }));
  });
}

async function main() {
  const { runs, burners: burnerCount, vitestArgs } = parseArgs(process.argv.slice(2));
  process.on("exit", stopBurners);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => {
      interrupted = true;
      stopBurners();
      vitest?.kill(signal);
    });
  }
  // The browser tests serve web/dist, as under `npm test`; built before the load starts.
  if (existsSync(WEB_CONFIG)) {
    const build = spawnSync(NODE22, [bin.vite, "build", "--config", WEB_CONFIG], { cwd: ROOT, stdio: "inherit" });
    if (build.status !== 0) throw new Error("web/ build (vite) failed");
  }
  for (let i = 0; i < burnerCount; i++) burners.push(spawn(process.execPath, ["-e", BURNER], { stdio: "ignore" }));
  console.log(
    `[load-proof] ${burnerCount} busy loop(s) on ${availableParallelism()} core(s); ${runs} run(s) of the e2e project ${vitestArgs.join(" ")}`,
  );

  const results = [];
  for (let run = 1; run <= runs && !interrupted; run++) {
    const runId = randomUUID();
    const result = await runVitest(vitestArgs, runId);
    const load = loadavg()[0].toFixed(1);
    const left = await stopMarked(RUN_ENV, (value) => value === runId).catch((err) => [{ pid: 0, command: String(err.message ?? err) }]);
    results.push({ run, ...result, load, left });
    if (left.length > 0)
      console.error(
        `[load-proof] run ${run} left ${left.length} process(es) running (now stopped):\n${left.map((p) => `  ${p.pid} ${p.command.slice(0, 200)}`).join("\n")}`,
      );
  }
  stopBurners();

  console.log("");
  for (const { run, code, signal, seconds, load, left } of results) {
    const status =
      code === 0 && left.length === 0
        ? "passed"
        : `FAILED (${signal ? `killed by ${signal}` : `exit ${code}`}${left.length ? `, ${left.length} process(es) left behind` : ""})`;
    console.log(`[load-proof] run ${run}: ${status} in ${seconds.toFixed(1)} s, 1-minute load ${load} at the end`);
  }
  const passed = results.length === runs && results.every((r) => r.code === 0 && r.left.length === 0);
  process.exitCode = passed ? 0 : 1;
}

main().catch((err) => {
  console.error(`[load-proof] ${err.message ?? err}`);
  stopBurners();
  process.exitCode = 1;
});
