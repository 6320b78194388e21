// The project room against a real `partykit dev`: only valid room tokens get a socket, and the
// Y.js document syncs between writers while readers only receive it.
import { randomBytes } from "node:crypto";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { eventually } from "../scripts/lib/eventually";
import { ROOM_TOKEN_MAX_TTL_SECONDS, type RoomGrant, roomTokenKey } from "../shared/room-token";
import { mintRoomToken } from "../worker/src/rooms/token";
import {
  connectClient,
  connectSynced,
  openRawSocket,
  type RoomClient,
  uniqueRoomId,
  upgradeStatus,
  websocketOutcome,
} from "./test/room-clients";
import { useRoomServer } from "./test/room-server";

const rooms = useRoomServer();
const { secret, track } = rooms;

const grant = (room: string, role: RoomGrant["role"] = "write", n = 1): RoomGrant => ({
  sub: `usr_test${n}`,
  room,
  role,
  name: `Tester ${n}`,
  sid: `ses_test${n}`,
});
const tokenFor = async (room: string, role: RoomGrant["role"] = "write", n = 1) =>
  (await mintRoomToken(secret, grant(room, role, n))).token;
const roomUrl = (room: string, token?: string) =>
  `${rooms.server.url}/parties/main/${room}${token === undefined ? "" : `?token=${encodeURIComponent(token)}`}`;

describe("admission", () => {
  it("upgrades a connection that carries a valid token for this room", async () => {
    const room = uniqueRoomId();
    expect((await upgradeStatus(roomUrl(room, await tokenFor(room)))).status).toBe(101);
  });

  it("refuses a connection without a token with 401", async () => {
    const room = uniqueRoomId();
    expect(await upgradeStatus(roomUrl(room))).toEqual({ status: 401, body: "missing room token" });
  });

  it("ignores a client-supplied claims header", async () => {
    const room = uniqueRoomId();
    const forgedHeader = JSON.stringify({ ...grant(room), iat: 0, exp: 1, iss: "plaza", aud: "plaza-rooms" });
    expect((await upgradeStatus(roomUrl(room), { "x-plaza-user": forgedHeader })).status).toBe(401);
  });

  it("refuses a token signed with another secret with 401, before the socket opens", async () => {
    const room = uniqueRoomId();
    const forged = (await mintRoomToken(randomBytes(32).toString("base64url"), grant(room))).token;
    expect(await upgradeStatus(roomUrl(room, forged))).toEqual({ status: 401, body: "room token invalid" });
    // A real WebSocket client sees the refusal as a failed handshake: it never opens.
    const outcome = await websocketOutcome(roomUrl(room, forged).replace(/^http/, "ws"));
    expect(outcome.opened).toBe(false);
  });

  it("refuses an expired token with 401", async () => {
    const room = uniqueRoomId();
    const issuedLongAgo = Date.now() - (ROOM_TOKEN_MAX_TTL_SECONDS + 60) * 1000;
    const expired = (await mintRoomToken(secret, grant(room), { now: issuedLongAgo })).token;
    expect(await upgradeStatus(roomUrl(room, expired))).toEqual({ status: 401, body: "room token expired" });
  });

  it("refuses a correctly signed token that outlives the maximum TTL with 401", async () => {
    const room = uniqueRoomId();
    const longLived = await new SignJWT({ room, role: "write", name: "Mallory", sid: "ses_mallory" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("usr_mallory")
      .setIssuer("plaza")
      .setAudience("plaza-rooms")
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(roomTokenKey(secret));
    expect((await upgradeStatus(roomUrl(room, longLived))).status).toBe(401);
  });

  it("refuses a token with the wrong audience with 401", async () => {
    const room = uniqueRoomId();
    const wrongAudience = await new SignJWT({ room, role: "write", name: "Mallory", sid: "ses_mallory" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("usr_mallory")
      .setIssuer("plaza")
      .setAudience("plaza-api")
      .setIssuedAt()
      .setExpirationTime("2m")
      .sign(roomTokenKey(secret));
    expect((await upgradeStatus(roomUrl(room, wrongAudience))).status).toBe(401);
  });

  it("refuses a valid token for another room with 403", async () => {
    const room = uniqueRoomId();
    const otherRoomsToken = await tokenFor(uniqueRoomId());
    expect(await upgradeStatus(roomUrl(room, otherRoomsToken))).toEqual({ status: 403, body: "room token is for another room" });
  });
});

describe("collaboration", () => {
  it("lets two writers edit one Y.Text and converge", async () => {
    const room = uniqueRoomId();
    const ada = track(await connectSynced(rooms.server.host, room, await tokenFor(room, "write", 1)));
    const bob = track(await connectSynced(rooms.server.host, room, await tokenFor(room, "write", 2)));

    ada.text.insert(0, "hello");
    await eventually("bob to see ada's edit", () => bob.text.toString() === "hello");
    bob.text.insert(5, " world");
    ada.text.insert(0, ">");
    await eventually("both writers to converge", () => ada.text.toString() === bob.text.toString() && ada.text.length === 12);
    expect(ada.text.toString()).toBe(">hello world");
  });

  it("converges four writers' concurrent edits to one Y.Text and XmlFragment", async () => {
    const room = uniqueRoomId();
    const writers: RoomClient[] = [];
    for (let n = 1; n <= 4; n++) writers.push(track(await connectSynced(rooms.server.host, room, await tokenFor(room, "write", n))));
    // Every writer edits in the same turn, before any of the others' edits can have arrived.
    writers.forEach((writer, i) => {
      for (let k = 0; k < 5; k++) writer.text.insert(0, `w${i}k${k};`);
      writer.doc.getXmlFragment("content").insert(0, [new Y.XmlElement(`p${i}`)]);
    });
    const expectedLength = writers.length * 5 * "w0k0;".length;
    await eventually("all writers to converge", () => {
      const texts = writers.map((w) => w.text.toString());
      const fragments = writers.map((w) => w.doc.getXmlFragment("content").toString());
      return texts.every((t) => t === texts[0] && t.length === expectedLength) && fragments.every((f) => f === fragments[0]);
    });
    const text = writers[0]!.text.toString();
    for (let i = 0; i < writers.length; i++) for (let k = 0; k < 5; k++) expect(text).toContain(`w${i}k${k};`);
    expect(writers[0]!.doc.getXmlFragment("content").length).toBe(writers.length);
  });

  it("sends the document to a reader but drops the reader's edits", async () => {
    const room = uniqueRoomId();
    const writer = track(await connectSynced(rooms.server.host, room, await tokenFor(room, "write", 1)));
    writer.text.insert(0, "shared");

    const reader = track(connectClient(rooms.server.host, room, await tokenFor(room, "read", 2)));
    await eventually("reader to receive the document", () => reader.text.toString() === "shared");

    reader.text.insert(0, "READER ");
    // Awareness is relayed for readers and travels on the same socket after the edit, so once the
    // writer sees this marker the room has already processed (and dropped) the edit.
    reader.provider.awareness.setLocalStateField("marker", "after-edit");
    await eventually(
      "writer to see the reader's awareness marker",
      () => writer.provider.awareness.getStates().get(reader.doc.clientID)?.marker === "after-edit",
    );
    expect(writer.text.toString()).toBe("shared");

    // The room kept the reader connected and still sends it updates.
    writer.text.insert(6, "!");
    await eventually("reader to receive a later edit", () => reader.text.toString().endsWith("shared!"));

    // A newcomer loads the room's copy, which never contained the reader's edit.
    const newcomer = track(await connectSynced(rooms.server.host, room, await tokenFor(room, "write", 3)));
    expect(newcomer.text.toString()).toBe("shared!");
  });
});

describe("closing", () => {
  it("answers a client's close frame with its own, so a clean close ends cleanly with the client's code", async () => {
    const room = uniqueRoomId();
    const raw = await openRawSocket(roomUrl(room, await tokenFor(room)).replace(/^http/, "ws"));
    let closed: CloseEvent | undefined;
    raw.socket.addEventListener("close", (event) => (closed = event));
    raw.socket.close(1000, "done editing");
    // Without the room's answer the client waits out its own timeout and then reports 1006, not clean.
    const event = await eventually("the room's answering close frame", () => closed);
    expect({ code: event.code, wasClean: event.wasClean }).toEqual({ code: 1000, wasClean: true });
  });
});
