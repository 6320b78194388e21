// Starts the Plaza API Worker with `wrangler dev` on a free port, with its own local state.
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writePrivateEnvFile } from "./env-file.mjs";
import { bin, freePort, ROOT, run, secret, startProcess, waitForHttp } from "./processes.mjs";

/** Set by the e2e project's global setup: the path of the wrangler config its servers run. */
export const E2E_WRANGLER_CONFIG_ENV = "PLAZA_E2E_WRANGLER_CONFIG";

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

/**
 * Brings the local D1 under `persistTo` up to date with migrations/. `wrangler d1 migrations apply`
 * starts a local D1 for each migration (about 0.6 s each: 20 s for 27 on an idle machine, more on a
 * busy one), which every e2e server and every fresh `npm start` paid. So a state dir that is missing
 * or empty gets a copy of a template instead, migrated once per set of migrations under tmpdir; a
 * dir with state in it is migrated in place.
 */
export async function applyMigrations(persistTo) {
  if (existsSync(persistTo) && readdirSync(persistTo).length > 0) await migrationsApply(persistTo);
  else cpSync(await migratedTemplate(), persistTo, { recursive: true });
}

/**
 * Runs one SQL command on the local D1 of a `wrangler dev` (its `persistTo`), as tests do for
 * what Plaza has no API for on purpose (making an operator, a dead letter no queue here can make).
 * @param {string} persistTo
 * @param {string} sql
 */
export function executeLocalD1(persistTo, sql) {
  return run(bin.wrangler, ["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--command", sql]);
}

function migrationsApply(persistTo) {
  return run(bin.wrangler, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo], {
    env: { CI: "1", WRANGLER_SEND_METRICS: "false" },
  });
}

const TEMPLATES = join(tmpdir(), "plaza-d1-templates");

/**
 * The template's name is a hash of all the apply reads (the migrations, wrangler.toml, wrangler's
 * version), so a changed or added migration makes a new one. It is built in a temp dir and renamed
 * into place: one that exists is complete, and of two runs building it at once the first rename wins.
 */
async function migratedTemplate() {
  const template = join(TEMPLATES, migrationsKey());
  if (existsSync(template)) return template;
  mkdirSync(TEMPLATES, { recursive: true });
  const building = mkdtempSync(join(TEMPLATES, "building-"));
  try {
    await migrationsApply(building);
    renameSync(building, template);
  } catch (err) {
    rmSync(building, { recursive: true, force: true });
    // Another run's rename landed first (ENOTEMPTY or EEXIST): theirs is the same state.
    if (!existsSync(template)) throw err;
  }
  return template;
}

function migrationsKey() {
  const sha256 = (data) => createHash("sha256").update(data).digest("hex");
  const migrations = readdirSync(join(ROOT, "migrations"))
    .filter((name) => name.endsWith(".sql"))
    .sort()
    .map((name) => `migrations/${name}`);
  const inputs = ["wrangler.toml", "node_modules/wrangler/package.json", ...migrations];
  return sha256(inputs.map((path) => `${path} ${sha256(readFileSync(join(ROOT, path)))}\n`).join("")).slice(0, 32);
}

/**
 * `secrets` go to wrangler in a private env file instead of the repository's .dev.vars (which is
 * then not read at all), so a test sees only the secrets it chose; without them wrangler reads
 * .dev.vars as usual (`npm start`). `vars` are passed as `--var`. `testScheduled` opens `/__scheduled`.
 * `assets` serves the web app from that directory instead of web/dist (wrangler watches it: a
 * test can deploy a new build by changing it).
 *
 * @param {{ persistTo?: string, assets?: string, port?: number, testScheduled?: boolean, vars?: Record<string,string>, secrets?: Record<string,string>, env?: Record<string,string>, migrate?: boolean, onOutput?: (chunk: string) => void }} options
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
  // Throwaway servers (their own state and secrets) in an e2e run take its config (see
  // e2e-global-setup.mjs); npm start's, even under scripts/start.test.ts, keeps wrangler.toml and
  // the .dev.vars beside it.
  const testConfig = !options.persistTo && options.secrets ? process.env[E2E_WRANGLER_CONFIG_ENV] : undefined;
  const vars = { APP_URL: `http://127.0.0.1:${port}`, ...(options.vars ?? {}) };
  envFile = options.secrets ? writePrivateEnvFile(options.secrets) : undefined;
  const args = [
    "dev",
    ...(testConfig ? ["--config", testConfig] : []),
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
    ...(options.assets ? ["--assets", options.assets] : []),
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
