// Launches the machine's Debian Chromium through playwright-core (no browser download) for the
// e2e tests. Flags keep it quiet and deterministic in containers: no sandbox (we run as root),
// no GPU, no background traffic to Google.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { ROOT } from "./processes.mjs";
import { WAIT } from "./wait-budgets.mjs";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  // Containers often have a tiny /dev/shm; Chromium then stalls. Use /tmp instead.
  "--disable-dev-shm-usage",
];

/** A launch that has not finished within WAIT.browserLaunch is stuck; one fresh attempt usually succeeds. */
const LAUNCH_ATTEMPTS = 2;

/**
 * @param {import("playwright-core").LaunchOptions} [options] merged over the defaults
 * @returns {Promise<import("playwright-core").Browser>}
 */
export async function launchChromium(options = {}) {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`);
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await chromium.launch({
        executablePath: CHROMIUM_PATH,
        timeout: WAIT.browserLaunch,
        ...options,
        args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
      });
    } catch (err) {
      if (attempt >= LAUNCH_ATTEMPTS) throw err;
      console.warn(`Chromium did not start (attempt ${attempt}): ${err.message}; trying again`);
    }
  }
}

/**
 * A browser context whose actions, navigations and locator waits give up after WAIT.step
 * (Playwright's own default is 30 s). A step that waits for work behind a queue or a room passes
 * `{ timeout: WAIT.backgroundWork }` itself.
 * @param {import("playwright-core").Browser} browser
 * @param {import("playwright-core").BrowserContextOptions} [options]
 * @returns {Promise<import("playwright-core").BrowserContext>}
 */
export async function newContext(browser, options = {}) {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(WAIT.step);
  return context;
}

/** The browser tests serve web/dist: fail at once, saying how to build it, when it is not a Vite build. */
export function assertViteBuild() {
  const index = join(ROOT, "web/dist/index.html");
  if (!existsSync(index) || !readFileSync(index, "utf8").includes("/assets/")) {
    throw new Error(
      "web/dist is not a Vite build. Build first: node_modules/.bin/node node_modules/vite/bin/vite.js build --config web/vite.config.ts",
    );
  }
}
