// Starts the Plaza rooms (party/) with `partykit dev` on a free port, with its own local state.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { truncateText } from "../../shared/text.ts";
import { bin, freePort, ROOT, startProcess, waitForHttp } from "./processes.mjs";
import { WAIT } from "./wait-budgets.mjs";

const CONFIG = join(ROOT, "partykit.json");

/**
 * Works offline: the only startup network calls are the npm update check (off via
 * NO_UPDATE_NOTIFIER) and miniflare's download of the `request.cf` placeholder from
 * workers.cloudflare.com (off via --disable-request-cf-fetch; it would otherwise wait on DNS).
 *
 * Vars (ROOM_TOKEN_SECRET) go into a private copy of partykit.json rather than `--var`, so secrets
 * stay out of argv, like wrangler's .dev.vars.
 *
 * @param {{ persistTo?: string, port?: number, vars?: Record<string,string>, env?: Record<string,string>, onOutput?: (chunk: string) => void }} options
 * @returns {Promise<{ url: string, host: string, port: number, persistTo: string, stop: () => Promise<void>, output: () => string, exited: Promise<number|null> }>}
 */
export async function startPartykitDev(options = {}) {
  // A port from freePort() can be taken by another process before partykit binds it (the
  // workerd tests open ports all the time); then that process answers, not the rooms. Try again
  // on a fresh port; a port the caller chose is theirs to fix.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce({ ...options, port: options.port ?? (await freePort()) });
    } catch (err) {
      if (options.port !== undefined || attempt === 3) throw err;
      const why =
        err instanceof NotOurServer
          ? "another server answered on its port"
          : `did not start (${String(err?.message ?? err).split("\n")[0]})`;
      console.warn(`partykit dev: ${why}; trying a fresh port`);
    }
  }
}

class NotOurServer extends Error {}

async function startOnce(options) {
  const vars = options.vars ?? {};
  assertNoDotenvOverrides(Object.keys(vars));
  const ownsPersistDir = !options.persistTo;
  const persistTo = options.persistTo ?? mkdtempSync(join(tmpdir(), "plaza-partykit-"));
  const port = options.port;
  const runConfig = writeRunConfig(vars);
  const args = [
    "dev",
    "--config",
    runConfig.path,
    "--port",
    String(port),
    "--persist",
    persistTo,
    "--disable-request-cf-fetch",
    "--no-hotkeys",
  ];
  const proc = startProcess("partykit dev", bin.partykit, args, {
    cwd: ROOT,
    env: { NO_UPDATE_NOTIFIER: "1", NO_COLOR: "1", ...(options.env ?? {}) },
    onOutput: options.onOutput,
  });
  const stop = async () => {
    await proc.stop();
    runConfig.remove();
    // Throwaway state we created ourselves; a caller's persistTo is theirs to keep.
    if (ownsPersistDir) rmSync(persistTo, { recursive: true, force: true });
  };
  const host = `127.0.0.1:${port}`;
  const url = `http://${host}`;
  try {
    // PartyKit has no health route; any answer (404 on `/`) means a server is listening.
    await waitForHttp(`${url}/`, { process: proc });
    if (vars.ROOM_TOKEN_SECRET) await assertServesTheRooms(url, proc);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, host, port, persistTo, stop, output: proc.output, exited: proc.exited };
}

/**
 * These rooms, with a usable ROOM_TOKEN_SECRET, answer an unsigned control request with 401
 * `invalid_signature`; another server on the port (or rooms without the secret) would not.
 */
async function assertServesTheRooms(url, proc) {
  const probe = `${url}/parties/main/startup-probe`;
  const res = await fetch(probe, { method: "POST", signal: AbortSignal.timeout(WAIT.step) });
  const body = await res.text();
  if (res.status === 401 && body.includes("invalid_signature")) return;
  throw new NotOurServer(
    `the server on ${url} is not these rooms: POST ${probe} answered ${res.status} ${truncateText(body, 200)}\n${proc.output().slice(-2000)}`,
  );
}

/** partykit.json plus `vars`, in a fresh 0700 temp dir; `main` made absolute so it still resolves. */
function writeRunConfig(vars) {
  const { $schema: _schema, ...config } = JSON.parse(readFileSync(CONFIG, "utf8"));
  const dir = mkdtempSync(join(tmpdir(), "plaza-partykit-config-"));
  const path = join(dir, "partykit.json");
  const runConfig = { ...config, main: resolve(ROOT, config.main), vars: { ...config.vars, ...vars } };
  writeFileSync(path, JSON.stringify(runConfig, null, 2), { mode: 0o600 });
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * `partykit dev` lets a .env/.env.local in the working directory or above override config vars.
 * Refuse to start rather than run the rooms with a secret the Worker does not share.
 */
function assertNoDotenvOverrides(keys) {
  if (keys.length === 0) return;
  for (let dir = ROOT; ; dir = dirname(dir)) {
    for (const file of [".env", ".env.local"].map((name) => join(dir, name))) {
      if (!existsSync(file)) continue;
      const text = readFileSync(file, "utf8");
      const clash = keys.find((key) => new RegExp(`^\\s*(export\\s+)?${key}\\s*=`, "m").test(text));
      if (clash) throw new Error(`${file} sets ${clash}, which would override the value passed to partykit dev; remove it there`);
    }
    if (dirname(dir) === dir) return;
  }
}
