/**
 * A minimal stand-in for a PartyKit room at ROOMS_URL (routed by network.ts): it verifies the
 * Worker's signed control requests like the real room, answers `snapshot` with its scripted state
 * (204 when it has none), takes `restore` bodies as its new state, answers `disconnect` as if
 * every user and session named were connected, and `teardown` by forgetting its state. `down`
 * makes it unreachable.
 */
import { env } from "cloudflare:workers";
import { ROOM_ACTION_HEADER, verifyRoomRequest } from "../../shared/room-callbacks";

export interface ScriptedRoom {
  state: Uint8Array | null;
  down: boolean;
  /** Every request that passed the signature check: its action and body. */
  received: { action: string | null; body: Uint8Array }[];
  /** Requests refused for their signature. */
  refused: number;
}

const rooms = new Map<string, ScriptedRoom>();

export const roomsOrigin = () => new URL(env.ROOMS_URL).origin;

export function scriptedRoom(roomId: string, state: Uint8Array | null = null): ScriptedRoom {
  const room: ScriptedRoom = { state, down: false, received: [], refused: 0 };
  rooms.set(roomId, room);
  return room;
}

export async function roomFetch(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const room = rooms.get(url.pathname.split("/").at(-1) ?? "");
  if (!room || room.down) throw new TypeError("Network connection lost.");
  const body = new Uint8Array(await request.arrayBuffer());
  const check = await verifyRoomRequest(env.ROOM_TOKEN_SECRET, request.headers, request.method, url.pathname, body);
  if (!check.valid) {
    room.refused++;
    return new Response(check.reason, { status: 401 });
  }
  const action = request.headers.get(ROOM_ACTION_HEADER);
  room.received.push({ action, body });
  if (action === "snapshot") return room.state ? new Response(room.state as BufferSource) : new Response(null, { status: 204 });
  if (action === "restore") {
    room.state = body;
    return Response.json({ restored: true });
  }
  if (action === "disconnect") {
    const { userIds = [], sessionIds = [] } = JSON.parse(new TextDecoder().decode(body)) as { userIds?: string[]; sessionIds?: string[] };
    return Response.json({ disconnected: userIds.length + sessionIds.length });
  }
  if (action === "teardown") {
    room.state = null;
    return Response.json({ tornDown: true });
  }
  return new Response("unknown action", { status: 400 });
}
