// `wrangler dev` and `partykit dev` wired both ways, as the browser and room tests need them: the
// Worker mints room tokens for ROOMS_URL, the rooms post snapshots and events to PLAZA_API_URL,
// both with one ROOM_TOKEN_SECRET. Each side must know the other's address before either starts.
import { startPartykitDev } from "./partykit-dev.mjs";
import { freePort, secret } from "./processes.mjs";
import { ephemeralSecrets, startWranglerDev } from "./wrangler-dev.mjs";

/**
 * `roomsOptions` starts the rooms again on the same port, wired the same way (a test that stops them).
 * @param {{ roomsPersistTo?: string }} [options]
 */
export async function startPlazaWithRooms(options = {}) {
  const [apiPort, roomsPort] = [await freePort(), await freePort()];
  const roomTokenSecret = secret();
  const roomsOptions = {
    port: roomsPort,
    ...(options.roomsPersistTo && { persistTo: options.roomsPersistTo }),
    vars: { ROOM_TOKEN_SECRET: roomTokenSecret, PLAZA_API_URL: `http://127.0.0.1:${apiPort}` },
  };
  const [api, rooms] = await Promise.all([
    startWranglerDev({
      port: apiPort,
      secrets: { ...ephemeralSecrets(), ROOM_TOKEN_SECRET: roomTokenSecret },
      vars: { ROOMS_URL: `http://127.0.0.1:${roomsPort}` },
    }),
    startPartykitDev(roomsOptions),
  ]);
  return { api, rooms, roomsOptions };
}
