// `npm start`: Plaza on this machine with seeded demo data.
//   web/ built by `vite build --watch`, the API Worker on `wrangler dev` (PORT, default 8787),
//   the rooms on `partykit dev` (ROOMS_PORT, default 1999), state in PLAZA_STATE_DIR
//   (default .wrangler/state). Ctrl-C stops everything; if one service dies, all stop.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { ensureDevVars } from "./dev-secrets.mjs";
import { bin, isPortFree, ROOT, startProcess } from "./lib/processes.mjs";
import { applyMigrations, startWranglerDev } from "./lib/wrangler-dev.mjs";
import { DEFAULT_PERSIST_DIR, DEMO_PASSWORD, DEMO_USERS, seed } from "./seed.mjs";

const WEB_CONFIG = join(ROOT, "web/vite.config.ts");
const PARTYKIT_CONFIG = join(ROOT, "partykit.json");
const PARTYKIT_DEV = join(ROOT, "scripts/lib/partykit-dev.mjs");
const WEB_BUILD_TIMEOUT_MS = 180_000;

const config = {
  stateDir: resolve(process.env.PLAZA_STATE_DIR ?? DEFAULT_PERSIST_DIR),
  apiPort: Number(process.env.PORT ?? 8787),
  roomsPort: Number(process.env.ROOMS_PORT ?? 1999),
};

/** Running services, in start order: { name, stop(), exited?, output() }. */
const services = [];
/** Services still starting; shutdown waits for them so none is left behind. */
const starting = new Set();
let shuttingDown = false;

const log = (message) => console.log(`[plaza] ${message}`);

const CURSOR_CONTROL = /\x1b\[[0-9;]*[A-HJKSTfGsu]/g;

/** Forwards a child's output line by line, each line prefixed with the service name. */
function prefixedWriter(name) {
  const prefix = `[${name}]`.padEnd(8);
  let partial = "";
  return (chunk) => {
    // Cursor movement (partykit redraws lines) garbles interleaved output; colours are kept.
    const lines = (partial + chunk).replace(CURSOR_CONTROL, "").split(/\r?\n/);
    partial = lines.pop();
    for (const line of lines) process.stdout.write(`${prefix} ${line}\n`);
  };
}

/** Awaits a service start while remembering it, so a Ctrl-C meanwhile can still stop it. */
async function track(name, startPromise) {
  starting.add(startPromise);
  try {
    const service = { name, ...(await startPromise) };
    services.push(service);
    watchForDeath(service);
    return service;
  } finally {
    starting.delete(startPromise);
  }
}

function watchForDeath(service) {
  service.exited?.then((code) => {
    if (shuttingDown) return;
    const tail = service.output().trimEnd().split("\n").slice(-40).join("\n");
    console.error(`\n[plaza] ${service.name} exited unexpectedly (code ${code}); stopping the rest. Last output:\n${tail}`);
    shutdown(1);
  });
}

async function shutdown(exitCode) {
  if (shuttingDown) return;
  shuttingDown = true;
  log("stopping…");
  const pending = await Promise.allSettled([...starting]);
  const late = pending.filter((p) => p.status === "fulfilled").map((p) => p.value);
  await Promise.allSettled([...services, ...late].reverse().map((service) => service.stop()));
  log("stopped");
  process.exit(exitCode);
}

async function assertPortsFree() {
  for (const [port, envName] of [[config.apiPort, "PORT"], [config.roomsPort, "ROOMS_PORT"]]) {
    if (!(await isPortFree(port))) throw new Error(`port ${port} is already in use; stop what runs there or set ${envName}=<port>`);
  }
}

/** `vite build --watch`; resolves after its first successful build so web/dist is complete. */
async function startWebBuild() {
  const forward = prefixedWriter("web");
  let settle;
  const firstBuild = new Promise((resolveBuild, reject) => (settle = { resolveBuild, reject }));
  const proc = startProcess("web", bin.vite, ["build", "--watch", "--config", WEB_CONFIG], {
    env: { PLAZA_API_URL: `http://127.0.0.1:${config.apiPort}` },
    onOutput(chunk) {
      forward(chunk);
      if (/built in/.test(proc.output())) settle.resolveBuild();
      else if (/Build failed|error during build/i.test(proc.output())) settle.reject(new Error("web/ build failed (see [web] output above)"));
    },
  });
  const timer = setTimeout(() => settle.reject(new Error(`web/ build did not finish within ${WEB_BUILD_TIMEOUT_MS} ms`)), WEB_BUILD_TIMEOUT_MS);
  proc.exited.then((code) => settle.reject(new Error(`vite exited (code ${code}) before its first build:\n${proc.output().slice(-4000)}`)));
  try {
    await firstBuild;
    return proc;
  } catch (err) {
    await proc.stop();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Secrets reach the Worker through .dev.vars, which wrangler reads itself (not via argv). */
function startApi() {
  return startWranglerDev({
    persistTo: config.stateDir,
    port: config.apiPort,
    migrate: false,
    vars: {
      APP_URL: `http://127.0.0.1:${config.apiPort}`,
      ROOMS_URL: `http://127.0.0.1:${config.roomsPort}`,
    },
    onOutput: prefixedWriter("api"),
  });
}

/** The rooms need the Worker's ROOM_TOKEN_SECRET to accept the tokens it mints. */
async function startRooms(secrets) {
  const { startPartykitDev } = await import(PARTYKIT_DEV);
  return startPartykitDev({
    port: config.roomsPort,
    persistTo: join(config.stateDir, "partykit"),
    vars: { ROOM_TOKEN_SECRET: secrets.ROOM_TOKEN_SECRET },
    onOutput: prefixedWriter("rooms"),
  });
}

function printSummary(api, rooms) {
  const rows = [
    ["Storefront", `${api.url}/`],
    ["Web app (log in)", `${api.url}/login`],
    ["API docs", `${api.url}/docs`],
    ["OpenAPI", `${api.url}/openapi.json`],
    ["Dev mailbox", `${api.url}/dev/mailbox`],
    ["Rooms", rooms ? rooms.url : "not started (party/ or scripts/lib/partykit-dev.mjs missing)"],
    ["State", config.stateDir],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = [
    "",
    "Plaza is running:",
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    "",
    `Demo logins (password: ${DEMO_PASSWORD}):`,
    ...DEMO_USERS.map((user) => `  ${user.email.padEnd(22)}  ${user.role}`),
    "",
    "Press Ctrl-C to stop.",
    "",
  ];
  console.log(lines.join("\n"));
  log(`ready at ${api.url}`);
}

async function main() {
  process.on("SIGINT", () => shutdown(0));
  process.on("SIGTERM", () => shutdown(0));
  process.on("SIGHUP", () => shutdown(0));

  await assertPortsFree();
  const { vars: secrets, created } = ensureDevVars();
  log(created ? "created .dev.vars with fresh secrets" : "using secrets from .dev.vars");

  if (existsSync(WEB_CONFIG)) {
    log("building web/ (vite build --watch)…");
    await track("web", startWebBuild());
  }
  log(`applying migrations to ${config.stateDir}…`);
  await applyMigrations(config.stateDir);
  log("seeding demo data…");
  await seed({ persistTo: config.stateDir });

  log("starting the API Worker (wrangler dev)…");
  const api = await track("api", startApi());
  let rooms;
  if (existsSync(PARTYKIT_DEV) && existsSync(PARTYKIT_CONFIG)) {
    log("starting the rooms (partykit dev)…");
    rooms = await track("rooms", startRooms(secrets));
  }
  if (!shuttingDown) printSummary(api, rooms);
}

main().catch(async (err) => {
  if (shuttingDown) return;
  console.error(`\n[plaza] could not start: ${err.message ?? err}`);
  await shutdown(1);
});
