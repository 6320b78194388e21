// One real `partykit dev` per test file, with a fresh room-token secret, and every tracked client
// torn down after each test: the set-up each room test file shares.
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll } from "vitest";
import { type PartykitDev, type PartykitDevOptions, startPartykitDev } from "./dev-server";
import type { RoomClient } from "./room-clients";

export interface RoomServer {
  /** The ROOM_TOKEN_SECRET the server was started with. */
  secret: string;
  /** The running server; only inside tests and hooks. */
  readonly server: PartykitDev;
  /** Registers a client for teardown after the test. */
  track(client: RoomClient): RoomClient;
}

export function useRoomServer(options: PartykitDevOptions = {}): RoomServer {
  const secret = randomBytes(32).toString("base64url");
  const clients: RoomClient[] = [];
  let server: PartykitDev | undefined;
  beforeAll(async () => {
    server = await startPartykitDev({ ...options, vars: { ROOM_TOKEN_SECRET: secret, ...options.vars } });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.destroy();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return {
    secret,
    get server() {
      if (!server) throw new Error("the room server is only running inside tests");
      return server;
    },
    track(client) {
      clients.push(client);
      return client;
    },
  };
}
