// The two Y.js servers the rooms bench compares, each in its own process on 127.0.0.1: Plaza's
// rooms under `partykit dev` and the reference `@y/websocket-server` (in memory, no persistence).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startPartykitDev } from "../../scripts/lib/partykit-dev.mjs";
import { bin, freePort, ROOT, startProcess, waitForHttp } from "../../scripts/lib/processes.mjs";

const require = createRequire(import.meta.url);

/** The package's own server script; its `exports` hide it, so go through package.json. */
const REFERENCE_SERVER = join(dirname(require.resolve("@y/websocket-server/package.json")), "src/server.js");

/**
 * Both servers are reached with the same client (YPartyKitProvider) and the same query string
 * (`_pk` and `token`); only the path differs: PartyKit routes `/parties/main/<room>`, the
 * reference server takes the whole path as the document name.
 *
 * @typedef {{ name: string, host: string, providerOptions: (room: string) => object, stop: () => Promise<void> }} RoomServer
 */

const BENCH_PARTIES = join(dirname(fileURLToPath(import.meta.url)), "rooms-party");

/**
 * Local Durable Object storage is SQLite under `--persist`; every Y.js update is a write there.
 * `stateParent` (e.g. /dev/shm) puts it elsewhere, to see how much of the cost is the disk.
 *
 * @param {{ roomTokenSecret: string, stateParent?: string }} options @returns {Promise<RoomServer>}
 */
export async function startPlazaRooms({ roomTokenSecret, stateParent }) {
  const persistTo = stateParent ? mkdtempSync(join(stateParent, "plaza-bench-rooms-")) : undefined;
  const removeState = () => persistTo && rmSync(persistTo, { recursive: true, force: true });
  const dev = await startPartykitDev({ vars: { ROOM_TOKEN_SECRET: roomTokenSecret }, persistTo }).catch((err) => {
    removeState();
    throw err;
  });
  return {
    name: "plaza (partykit dev)",
    host: dev.host,
    providerOptions: () => ({}),
    stop: () => dev.stop().finally(removeState),
  };
}

/** @returns {Promise<RoomServer>} */
export async function startReferenceServer() {
  const port = await freePort();
  // YPERSISTENCE unset (spawn drops undefined values): documents stay in memory, no LevelDB.
  const env = { HOST: "127.0.0.1", PORT: String(port), YPERSISTENCE: undefined };
  const proc = startProcess("@y/websocket-server", REFERENCE_SERVER, [], { env });
  const host = `127.0.0.1:${port}`;
  try {
    await waitForHttp(`http://${host}/`, { process: proc, timeoutMs: 20_000 });
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return {
    name: "@y/websocket-server",
    host,
    providerOptions: (room) => ({ prefix: `/${room}` }),
    stop: () => proc.stop(),
  };
}

/**
 * A second `partykit dev` serving bare y-partykit rooms (bench/lib/rooms-party): `main` without
 * persistence, `persisted` with Plaza's snapshot persistence. Same runtime, none of Plaza's code,
 * so the gap to Plaza's room and to the reference splits into runtime, storage and room logic.
 *
 * @param {{ stateParent?: string }} options as startPlazaRooms's
 * @returns {Promise<{ bare: RoomServer, persisted: RoomServer, stop: () => Promise<void> }>}
 */
export async function startBareYPartyKit({ stateParent } = {}) {
  const dir = mkdtempSync(join(stateParent ?? tmpdir(), "plaza-bench-parties-"));
  const config = join(dir, "partykit.json");
  const parties = { main: join(BENCH_PARTIES, "bare.ts"), persisted: join(BENCH_PARTIES, "persisted.ts") };
  writeFileSync(
    config,
    JSON.stringify({
      name: "plaza-bench-rooms",
      main: parties.main,
      parties: { persisted: parties.persisted },
      compatibilityDate: "2024-07-18",
    }),
  );
  const port = await freePort();
  const args = [
    "dev",
    "--config",
    config,
    "--port",
    String(port),
    "--persist",
    join(dir, "state"),
    "--disable-request-cf-fetch",
    "--no-hotkeys",
  ];
  const proc = startProcess("partykit dev (bare y-partykit)", bin.partykit, args, {
    cwd: ROOT,
    env: { NO_UPDATE_NOTIFIER: "1", NO_COLOR: "1" },
  });
  const stop = async () => {
    await proc.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const host = `127.0.0.1:${port}`;
  try {
    await waitForHttp(`http://${host}/`, { process: proc });
  } catch (err) {
    await stop();
    throw err;
  }
  const party = (name, party) => ({ name, host, providerOptions: () => ({ party }), stop: async () => {} });
  return { bare: party("y-partykit, no persist", "main"), persisted: party("y-partykit, snapshot", "persisted"), stop };
}
