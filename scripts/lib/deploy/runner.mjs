// The real command runner of the deploy: wrangler, partykit and vite from node_modules under
// Node 22, in the repository root, stdin closed (so nothing waits on a prompt), output captured
// and, for the steps that change things, shown as it comes.
import { spawn } from "node:child_process";
import { bin, NODE22, ROOT } from "../processes.mjs";

/** @type {import("./deploy.mjs").Runner} */
export function runTool(tool, args, { echo = false } = {}) {
  return new Promise((resolveRun) => {
    const child = spawn(NODE22, [bin[tool], ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", WRANGLER_SEND_METRICS: "false", NO_UPDATE_NOTIFIER: "1" },
    });
    let output = "";
    const take = (/** @type {Buffer} */ chunk) => {
      output += chunk;
      if (echo) process.stdout.write(chunk);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("error", (err) => resolveRun({ code: 1, output: `${output}${err.message}` }));
    child.on("close", (code, signal) => resolveRun({ code: code ?? (signal ? 1 : 0), output }));
  });
}
