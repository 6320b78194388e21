// Starts the Plaza API Worker with `wrangler dev` on a free port, with its own local state.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bin, freePort, ROOT, run, secret, startProcess, waitForHttp } from "./processes.mjs";

/** Secrets for a throwaway local run; `npm start` keeps its own in .dev.vars instead. */
export function ephemeralSecrets() {
  return { JWT_SECRET: secret(), ROOM_TOKEN_SECRET: secret() };
}

export async function applyMigrations(persistTo) {
  await run(bin.wrangler, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo], {
    env: { CI: "1", WRANGLER_SEND_METRICS: "false" },
  });
}

/**
 * @param {{ persistTo?: string, port?: number, vars?: Record<string,string>, env?: Record<string,string>, migrate?: boolean, onOutput?: (chunk: string) => void }} options
 * @returns {Promise<{ url: string, port: number, persistTo: string, stop: () => Promise<void>, output: () => string, exited: Promise<number|null> }>}
 */
export async function startWranglerDev(options = {}) {
  const persistTo = options.persistTo ?? mkdtempSync(join(tmpdir(), "plaza-wrangler-"));
  // A state dir we made is ours to delete; one the caller passed (npm start's) is kept.
  const stop = async () => {
    await proc.stop();
    if (!options.persistTo) rmSync(persistTo, { recursive: true, force: true });
  };
  const port = options.port ?? (await freePort());
  const inspectorPort = await freePort();
  if (options.migrate !== false) await applyMigrations(persistTo);
  const vars = { APP_URL: `http://127.0.0.1:${port}`, ...(options.vars ?? {}) };
  const args = [
    "dev",
    "--port", String(port),
    "--ip", "127.0.0.1",
    "--inspector-port", String(inspectorPort),
    "--persist-to", persistTo,
    "--show-interactive-dev-session=false",
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
