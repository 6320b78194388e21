// Bad input and limits: a broken or oversized frame closes only its sender with the shared close
// code, the document stays as it was, and a full room refuses newcomers.
import { randomBytes } from "node:crypto";
import * as encoding from "lib0/encoding";
import { afterEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { eventually } from "../scripts/lib/eventually";
import { RoomCloseCode, RoomErrorMessageSchema, roomCloseReason } from "../shared/room-protocol";
import type { RoomGrant } from "../shared/room-token";
import { mintRoomToken } from "../worker/src/rooms/token";
import { BATCH_SENTINEL } from "./chunked-messages";
import { closedWith, connectSynced, openRawSocket, type RawSocket, type RoomClient, uniqueRoomId } from "./test/room-clients";
import { useRoomServer } from "./test/room-server";

const MAX_CONNECTIONS = 3;
const MAX_MESSAGE_BYTES = 64 * 1024;
const MAX_DOCUMENT_BYTES = 32 * 1024;
const rooms = useRoomServer({
  vars: {
    ROOM_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
    ROOM_MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES),
    ROOM_MAX_DOCUMENT_BYTES: String(MAX_DOCUMENT_BYTES),
  },
});
const { secret } = rooms;
const sockets: RawSocket[] = [];

const tokenFor = async (room: string, n: number, role: RoomGrant["role"] = "write") =>
  (await mintRoomToken(secret, { sub: `usr_limits${n}`, room, role, name: `Person ${n}`, sid: `ses_limits${n}` })).token;
async function join(room: string, n: number): Promise<RoomClient> {
  return rooms.track(await connectSynced(rooms.server.host, room, await tokenFor(room, n)));
}
async function raw(room: string, n = 9): Promise<RawSocket> {
  const socket = await openRawSocket(`ws://${rooms.server.host}/parties/main/${room}?token=${encodeURIComponent(await tokenFor(room, n))}`);
  sockets.push(socket);
  return socket;
}

/** A y-protocols sync message: [0, syncType, varUint8Array(payload)]. */
function syncMessage(syncType: number, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, syncType);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}
function awarenessMessage(payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}
function updateInserting(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText("body").insert(0, text);
  return Y.encodeStateAsUpdate(doc);
}

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.socket.close();
});

describe("malformed frames", () => {
  const truncatedUpdate = updateInserting("hello").slice(0, 6);
  const badAwarenessJson = (() => {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarUint(encoder, 42);
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarString(encoder, "{not json");
    return awarenessMessage(encoding.toUint8Array(encoder));
  })();
  const cases: [string, Uint8Array, string][] = [
    ["random bytes", new Uint8Array(randomBytes(64)).map((b, i) => (i === 0 ? 0xff : b)), roomCloseReason.malformedSync],
    ["a truncated Y.js update", syncMessage(2, truncatedUpdate), roomCloseReason.malformedSync],
    ["a sync step 2 that is not an update", syncMessage(1, new Uint8Array([0xff, 0xff, 0xff])), roomCloseReason.malformedSync],
    ["an unknown sync message type", syncMessage(7, new Uint8Array([0])), roomCloseReason.malformedSync],
    ["an awareness entry with broken JSON", badAwarenessJson, roomCloseReason.malformedAwareness],
    ["an awareness update cut short", awarenessMessage(new Uint8Array([3, 1])), roomCloseReason.malformedAwareness],
  ];

  it.each(cases)("closes only the sender of %s with 1007 and leaves the document intact", async (_name, frame, reason) => {
    const room = uniqueRoomId();
    const peer = await join(room, 1);
    peer.text.insert(0, "intact");
    const attacker = await raw(room);
    attacker.send(frame);
    expect(await closedWith(attacker)).toEqual({ code: RoomCloseCode.invalidPayload, reason });

    // The peer is still connected and editing, and a newcomer loads the untouched document.
    peer.text.insert(6, "!");
    const newcomer = await join(room, 2);
    await eventually("the newcomer to load the peer's edits", () => newcomer.text.toString() === "intact!");
    expect(peer.provider.wsconnected).toBe(true);
  });

  it("closes a text frame that is not a batch marker with 1003", async () => {
    const room = uniqueRoomId();
    const socket = await raw(room);
    socket.send("hello");
    expect(await closedWith(socket)).toEqual({ code: RoomCloseCode.unsupportedData, reason: roomCloseReason.textFrame });
  });

  it("reassembles y-partykit's chunked batches and refuses an inconsistent one", async () => {
    const room = uniqueRoomId();
    const writer = await join(room, 1);
    const socket = await raw(room);
    const message = syncMessage(2, updateInserting("chunked"));
    const half = Math.ceil(message.byteLength / 2);
    const marker = (type: string) => `${BATCH_SENTINEL}#${JSON.stringify({ id: "b1", type, size: message.byteLength, count: 2 })}`;
    socket.send(marker("start"));
    socket.send(message.slice(0, half));
    socket.send(message.slice(half));
    socket.send(marker("end"));
    await eventually("the batched edit to reach the writer", () => writer.text.toString() === "chunked");

    socket.send(marker("start"));
    socket.send(message);
    socket.send(`${BATCH_SENTINEL}#${JSON.stringify({ id: "b1", type: "end", size: message.byteLength, count: 1 })}`);
    expect(await closedWith(socket)).toEqual({ code: RoomCloseCode.invalidPayload, reason: roomCloseReason.malformedBatch });
  });
});

describe("size limits", () => {
  it("closes a message over ROOM_MAX_MESSAGE_BYTES with 1009", async () => {
    const room = uniqueRoomId();
    const socket = await raw(room);
    socket.send(syncMessage(2, updateInserting("x".repeat(MAX_MESSAGE_BYTES + 1))));
    expect(await closedWith(socket)).toEqual({ code: RoomCloseCode.tooBig, reason: roomCloseReason.messageTooBig(MAX_MESSAGE_BYTES) });
  });

  it("closes a batch announcing more than ROOM_MAX_MESSAGE_BYTES with 1009", async () => {
    const room = uniqueRoomId();
    const socket = await raw(room);
    socket.send(`${BATCH_SENTINEL}#${JSON.stringify({ id: "big", type: "start", size: MAX_MESSAGE_BYTES + 1, count: 2 })}`);
    expect(await closedWith(socket)).toEqual({ code: RoomCloseCode.tooBig, reason: roomCloseReason.messageTooBig(MAX_MESSAGE_BYTES) });
  });

  it("refuses an edit that would take the document over its cap: an error message, close 1009, nothing applied", async () => {
    const room = uniqueRoomId();
    const peer = await join(room, 1);
    peer.text.insert(0, "small");
    const socket = await raw(room);
    // Under the message cap, over the document cap.
    socket.send(syncMessage(2, updateInserting("y".repeat(MAX_DOCUMENT_BYTES))));
    expect(await closedWith(socket)).toEqual({ code: RoomCloseCode.tooBig, reason: roomCloseReason.documentTooLarge(MAX_DOCUMENT_BYTES) });
    const errors = socket.frames
      .filter((frame): frame is string => typeof frame === "string")
      .map((frame) => RoomErrorMessageSchema.parse(JSON.parse(frame)));
    expect(errors).toEqual([expect.objectContaining({ type: "error", code: "document_too_large" })]);

    // Edits that fit still go through, and the refused one never reached anyone.
    peer.text.insert(5, " edit");
    const newcomer = await join(room, 2);
    await eventually("the newcomer to load the document", () => newcomer.text.toString() === "small edit");
    expect(peer.text.toString()).toBe("small edit");
  });
});

describe("connections", () => {
  it(`refuses connection ${MAX_CONNECTIONS + 1} with 1013 "room is full" and admits one again after a leave`, async () => {
    const room = uniqueRoomId();
    const members = [await join(room, 1), await join(room, 2), await join(room, 3)];
    const fourth = await raw(room, 4);
    expect(await closedWith(fourth)).toEqual({ code: RoomCloseCode.tryAgainLater, reason: roomCloseReason.roomFull(MAX_CONNECTIONS) });

    members[0]!.provider.shouldConnect = false;
    members[0]!.provider.ws?.close();
    const late = await eventually("a seat to free up", async () => {
      const socket = await raw(room, 5);
      await eventually("the room to greet or refuse", () => socket.frames.length > 0 || socket.closed);
      return socket.closed ? false : socket;
    });
    expect(late.closed).toBeNull();
  });
});
