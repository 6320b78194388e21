/**
 * Worker → room control requests (`snapshot`, `restore`, `disconnect`, `teardown`), signed like the room's
 * callbacks and sent to ROOMS_URL + roomControlPath. A room that cannot be reached is `503 rooms_unavailable`.
 */
import {
  DEFAULT_MAX_DOCUMENT_BYTES,
  type DisconnectBody,
  ROOM_ACTION_HEADER,
  type RoomAction,
  roomControlPath,
  signRoomRequest,
} from "../../../shared/room-callbacks";
import type { Env } from "../env";
import { AppError } from "../http/errors";
import { log } from "../http/log";
import { readCapped } from "./bytes";

/** How long a room may take to answer a control request. */
export const ROOM_CONTROL_TIMEOUT_MS = 10_000;

const unavailable = (why: string) => new AppError("rooms_unavailable", `The collaboration rooms are unavailable (${why}); try again`);

/** `host[:port]` of ROOMS_URL: what YPartyKitProvider takes. */
export const roomsHost = (env: Pick<Env, "ROOMS_URL">) => new URL(env.ROOMS_URL).host;

/** Sends one signed control request; answers the room's response (2xx only). */
async function control(env: Env, roomId: string, action: RoomAction, body: Uint8Array): Promise<Response> {
  const path = roomControlPath(roomId);
  const headers = await signRoomRequest(env.ROOM_TOKEN_SECRET, "POST", path, body);
  let res: Response;
  try {
    res = await fetch(new URL(path, env.ROOMS_URL), {
      method: "POST",
      headers: { ...headers, [ROOM_ACTION_HEADER]: action, "content-type": "application/octet-stream" },
      body: body.byteLength ? (body as BufferSource) : undefined,
      signal: AbortSignal.timeout(ROOM_CONTROL_TIMEOUT_MS),
    });
  } catch (err) {
    log("warn", "room control request failed", { roomId, action, error: String(err) });
    throw unavailable("no answer");
  }
  if (!res.ok) {
    await res.body?.cancel();
    log("warn", "room refused a control request", { roomId, action, status: res.status });
    // The room's own refusals of a restore mean something to the caller; anything else is the room failing.
    if (res.status === 413) throw new AppError("document_too_large", "The room refused it: the document would exceed its size cap");
    if (res.status === 409) throw new AppError("conflict", "The room could not apply the restore now; try again");
    throw unavailable(`answered ${res.status}`);
  }
  return res;
}

/** The room's live document state, or null when it has none loaded (204). */
export async function askRoomForSnapshot(env: Env, roomId: string): Promise<Uint8Array | null> {
  const res = await control(env, roomId, "snapshot", new Uint8Array());
  if (res.status === 204) return null;
  return readCapped(res.body, DEFAULT_MAX_DOCUMENT_BYTES, res.headers.get("content-length"), () =>
    unavailable("its document is over the size cap"),
  );
}

/** Closes the sockets of these users or sessions in the room (their access changed); answers how many it closed. */
export async function askRoomToDisconnect(env: Env, roomId: string, whom: DisconnectBody): Promise<number> {
  const res = await control(env, roomId, "disconnect", new TextEncoder().encode(JSON.stringify(whom)));
  return ((await res.json()) as { disconnected: number }).disconnected;
}

/** The project is gone: the room closes every socket (4404) and deletes its storage. Resolves once it confirmed. */
export async function askRoomToTearDown(env: Env, roomId: string): Promise<void> {
  const res = await control(env, roomId, "teardown", new Uint8Array());
  await res.body?.cancel();
}

/** Replaces the room's document content with `update`; the room then posts a `restore` snapshot. */
export async function askRoomToRestore(env: Env, roomId: string, update: Uint8Array): Promise<void> {
  const res = await control(env, roomId, "restore", update);
  await res.body?.cancel();
}
