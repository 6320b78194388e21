// `npm test`: Chromium for the browser tests, a fresh web/ build, then every vitest project.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { bin, NODE22, ROOT } from "./lib/processes.mjs";

const CHROMIUM = "/usr/bin/chromium";
const WEB_CONFIG = join(ROOT, "web/vite.config.ts");
const VITEST = join(ROOT, "node_modules/vitest/vitest.mjs");

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

ensureChromium();
// Browser and `npm start` tests serve web/dist through the Worker's assets binding.
if (existsSync(WEB_CONFIG)) runOrExit(NODE22, [bin.vite, "build", "--config", WEB_CONFIG], "web/ build (vite)");
const vitest = spawnSync(NODE22, [VITEST, "run", ...process.argv.slice(2)], { cwd: ROOT, stdio: "inherit" });
process.exit(vitest.status ?? 1);
