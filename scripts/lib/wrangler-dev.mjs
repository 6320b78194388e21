// Starts the Plaza API Worker with `wrangler dev` on a free port, with its own local state.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writePrivateEnvFile } from "./env-file.mjs";
import { bin, freePort, ROOT, run, secret, startProcess, waitForHttp } from "./processes.mjs";

/** Secrets for a throwaway local run; `npm start` keeps its own in .dev.vars instead. */
export function ephemeralSecrets() {
  return {
    JWT_SECRET: secret(),
    ROOM_TOKEN_SECRET: secret(),
    STRIPE_WEBHOOK_SECRET: `whsec_${secret()}`,
    STRIPE_CONNECT_WEBHOOK_SECRET: `whsec_${secret()}`,
    ENCRYPTION_KEYS: `k1:${secret(32)}`,
    LICENSE_KEY_SECRET: secret(),
    DOWNLOAD_TOKEN_KEYS: `d1:${secret(32)}`,
  };
}

export async function applyMigrations(persistTo) {
  await run(bin.wrangler, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo], {
    env: { CI: "1", WRANGLER_SEND_METRICS: "false" },
  });
}

/**
 * `secrets` go to wrangler in a private env file instead of the repository's .dev.vars (which is
 * then not read at all), so a test sees only the secrets it chose; without them wrangler reads
 * .dev.vars as usual (`npm start`). `vars` are passed as `--var`. `testScheduled` opens `/__scheduled`.
 *
 * @param {{ persistTo?: string, port?: number, testScheduled?: boolean, vars?: Record<string,string>, secrets?: Record<string,string>, env?: Record<string,string>, migrate?: boolean, onOutput?: (chunk: string) => void }} options
 * @returns {Promise<{ url: string, port: number, persistTo: string, stop: () => Promise<void>, output: () => string, exited: Promise<number|null> }>}
 */
export async function startWranglerDev(options = {}) {
  const persistTo = options.persistTo ?? mkdtempSync(join(tmpdir(), "plaza-wrangler-"));
  // A state dir we made is ours to delete; one the caller passed (npm start's) is kept.
  let envFile;
  const stop = async () => {
    await proc.stop();
    envFile?.remove();
    if (!options.persistTo) rmSync(persistTo, { recursive: true, force: true });
  };
  const port = options.port ?? (await freePort());
  const inspectorPort = await freePort();
  if (options.migrate !== false) await applyMigrations(persistTo);
  const vars = { APP_URL: `http://127.0.0.1:${port}`, ...(options.vars ?? {}) };
  envFile = options.secrets ? writePrivateEnvFile(options.secrets) : undefined;
  const args = [
    "dev",
    "--port",
    String(port),
    "--ip",
    "127.0.0.1",
    "--inspector-port",
    String(inspectorPort),
    "--persist-to",
    persistTo,
    "--show-interactive-dev-session=false",
    ...(envFile ? ["--env-file", envFile.path] : []),
    // GET /__scheduled runs the cron handler (the maintenance jobs) on demand.
    ...(options.testScheduled ? ["--test-scheduled"] : []),
    ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ];
  const proc = startProcess("wrangler dev", bin.wrangler, args, {
    cwd: ROOT,
    env: { CI: "1", WRANGLER_SEND_METRICS: "false", ...(options.env ?? {}) },
    onOutput: options.onOutput,
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/healthz`, { process: proc });
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port, persistTo, stop, output: proc.output, exited: proc.exited };
}
