// The room's document outlives the room server, starts from the Worker's latest snapshot when its
// storage is empty, reaches the Worker as signed snapshots, and follows the Worker's signed
// control requests. A Node server stands in for the Worker and verifies every signature.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { eventually } from "../scripts/lib/eventually";
import { ROOM_ACTION_HEADER, type RoomAction, roomControlPath, signRoomRequest } from "../shared/room-callbacks";
import { RoomCloseCode, roomCloseReason } from "../shared/room-protocol";
import { mintRoomToken } from "../worker/src/rooms/token";
import { type PartykitDev, startPartykitDev } from "./test/dev-server";
import { type FakeWorker, startFakeWorker, textIn } from "./test/fake-worker";
import { closedWith, connectClient, connectSynced, openRawSocket, type RoomClient, uniqueRoomId } from "./test/room-clients";

const secret = randomBytes(32).toString("base64url");
let worker: FakeWorker;
let server: PartykitDev;
/** Ours, not the helper's, so the room server can be restarted on the same storage. */
const persistTo = mkdtempSync(joinPath(tmpdir(), "plaza-room-persist-"));
const clients: RoomClient[] = [];

const tokenFor = async (room: string, n: number) =>
  (await mintRoomToken(secret, { sub: `usr_persist${n}`, room, role: "write", name: `Person ${n}`, sid: `ses_persist${n}` })).token;
async function join(target: PartykitDev, room: string, n: number): Promise<RoomClient> {
  const client = await connectSynced(target.host, room, await tokenFor(room, n));
  clients.push(client);
  return client;
}
const roomVars = () => ({ ROOM_TOKEN_SECRET: secret, PLAZA_API_URL: worker.url });

/** A snapshot as the Worker stores it: body text plus a Tiptap paragraph in `content`. */
function snapshotWith(body: string, paragraph: string): Uint8Array<ArrayBuffer> {
  const doc = new Y.Doc();
  doc.getText("body").insert(0, body);
  const p = new Y.XmlElement("paragraph");
  p.insert(0, [new Y.XmlText(paragraph)]);
  doc.getXmlFragment("content").insert(0, [p]);
  return Y.encodeStateAsUpdate(doc) as Uint8Array<ArrayBuffer>;
}

async function control(
  room: string,
  action: RoomAction,
  body: Uint8Array<ArrayBuffer> = new Uint8Array(),
  signingSecret = secret,
): Promise<Response> {
  const path = roomControlPath(room);
  return fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { [ROOM_ACTION_HEADER]: action, ...(await signRoomRequest(signingSecret, "POST", path, body)) },
    body,
  });
}

beforeAll(async () => {
  worker = await startFakeWorker(secret);
  server = await startPartykitDev({ vars: roomVars(), persistTo });
});
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
});
afterAll(async () => {
  await server?.stop();
  await worker?.stop();
  rmSync(persistTo, { recursive: true, force: true });
});

describe("loading and saving through the Worker", () => {
  it("starts an empty room from the Worker's latest snapshot", async () => {
    const room = uniqueRoomId();
    worker.latest.set(room, snapshotWith("saved in the Worker", "first paragraph"));
    const client = await join(server, room, 1);
    expect(client.text.toString()).toBe("saved in the Worker");
    expect(client.doc.getXmlFragment("content").toString()).toBe("<paragraph>first paragraph</paragraph>");
  });

  it("POSTs debounced snapshots with reason auto, signed so the Worker accepts them", async () => {
    const room = uniqueRoomId();
    const client = await join(server, room, 1);
    client.text.insert(0, "hello");
    client.text.insert(5, " snapshot");
    const snapshot = await eventually("a snapshot with the edits to reach the Worker", () =>
      worker.snapshots.get(room)?.find((s) => textIn(s.bytes) === "hello snapshot"),
    );
    expect(snapshot.reason).toBe("auto");
    expect(worker.refusedSignatures).toBe(0);
  });

  it("refuses connections while the Worker cannot give the latest snapshot, rather than start empty", async () => {
    const room = uniqueRoomId();
    worker.unavailable.add(room);
    const socket = await openRawSocket(`ws://${server.host}/parties/main/${room}?token=${encodeURIComponent(await tokenFor(room, 1))}`);
    expect(await closedWith(socket)).toEqual({ code: RoomCloseCode.internalError, reason: roomCloseReason.documentUnavailable });

    // Once the Worker answers, the room loads the saved content.
    worker.latest.set(room, snapshotWith("recovered", ""));
    worker.unavailable.delete(room);
    const client = await join(server, room, 1);
    expect(client.text.toString()).toBe("recovered");
  });

  it("sends member_joined and member_left per connection to the events callback", async () => {
    const room = uniqueRoomId();
    const client = await join(server, room, 1);
    const connectionId = client.provider.id;
    await eventually("member_joined to arrive", () =>
      worker.events.find((e) => e.connectionId === connectionId && e.type === "member_joined"),
    );
    client.destroy();
    const left = await eventually("member_left to arrive", () =>
      worker.events.find((e) => e.connectionId === connectionId && e.type === "member_left"),
    );
    expect(left).toMatchObject({ userId: "usr_persist1", name: "Person 1", role: "write" });
    expect(left.id).toMatch(/^rev_/);
  });
});

describe("refusals for good and token expiry", () => {
  it("refuses a project the Worker does not know (404) with its own close code, not a retry", async () => {
    const room = uniqueRoomId();
    worker.missing.add(room);
    const socket = await openRawSocket(`ws://${server.host}/parties/main/${room}?token=${encodeURIComponent(await tokenFor(room, 1))}`);
    expect(await closedWith(socket)).toEqual({ code: RoomCloseCode.projectNotFound, reason: roomCloseReason.projectNotFound });
  });

  it("closes a socket when its room token expires", async () => {
    const room = uniqueRoomId();
    const { token, expiresAt } = await mintRoomToken(
      secret,
      { sub: "usr_persist1", room, role: "write", name: "Person 1", sid: "ses_persist1" },
      { ttlSeconds: 2 },
    );
    const socket = await openRawSocket(`ws://${server.host}/parties/main/${room}?token=${encodeURIComponent(token)}`);
    expect(socket.closed).toBeNull();
    expect(await closedWith(socket)).toEqual({ code: RoomCloseCode.tokenExpired, reason: roomCloseReason.tokenExpired });
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt - 1000);
  });
});

describe("control requests", () => {
  it("refuses unsigned, forged and stale requests with 401", async () => {
    const room = uniqueRoomId();
    const unsigned = await fetch(`${server.url}${roomControlPath(room)}`, {
      method: "POST",
      headers: { [ROOM_ACTION_HEADER]: "snapshot" },
    });
    expect(unsigned.status).toBe(401);
    expect((await control(room, "snapshot", new Uint8Array(), randomBytes(32).toString("base64url"))).status).toBe(401);
    const path = roomControlPath(room);
    const stale = await signRoomRequest(secret, "POST", path, new Uint8Array(), Date.now() - 60 * 60 * 1000);
    expect((await fetch(`${server.url}${path}`, { method: "POST", headers: { [ROOM_ACTION_HEADER]: "snapshot", ...stale } })).status).toBe(
      401,
    );
    // Signed for another body: the signature covers it.
    const signedEmpty = await signRoomRequest(secret, "POST", path, new Uint8Array());
    const tampered = await fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { [ROOM_ACTION_HEADER]: "restore", ...signedEmpty },
      body: snapshotWith("evil", ""),
    });
    expect(tampered.status).toBe(401);
  });

  it("answers a signed snapshot request with the live document", async () => {
    const room = uniqueRoomId();
    const client = await join(server, room, 1);
    client.text.insert(0, "live text");
    const response = await eventually("the room to have the edit", async () => {
      const res = await control(room, "snapshot");
      const bytes = new Uint8Array(await res.arrayBuffer());
      return res.status === 200 && textIn(bytes) === "live text" ? res : false;
    });
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
  });

  it("restores a snapshot: connected clients converge to it and the Worker gets a restore snapshot", async () => {
    const room = uniqueRoomId();
    const a = await join(server, room, 1);
    const b = await join(server, room, 2);
    a.text.insert(0, "draft two, much longer");
    const p = new Y.XmlElement("paragraph");
    p.insert(0, [new Y.XmlText("second")]);
    a.doc.getXmlFragment("content").insert(0, [p]);
    b.doc.getMap("settings").set("stale", true);
    await eventually("b to see a's draft", () => b.text.toString() === "draft two, much longer");

    const snapshot = snapshotWith("draft one", "first");
    const response = await control(room, "restore", snapshot);
    expect(response.status).toBe(200);

    for (const client of [a, b]) {
      await eventually(
        "each client to converge to the snapshot",
        () =>
          client.text.toString() === "draft one" &&
          client.doc.getXmlFragment("content").toString() === "<paragraph>first</paragraph>" &&
          client.doc.getMap("settings").size === 0,
      );
    }
    const restored = await eventually("a restore snapshot to reach the Worker", () =>
      worker.snapshots.get(room)?.find((s) => s.reason === "restore"),
    );
    expect(textIn(restored.bytes)).toBe("draft one");

    // Editing goes on from the restored state.
    b.text.insert(9, "!");
    await eventually("a to see b's edit after the restore", () => a.text.toString() === "draft one!");
  });

  it("disconnects the users it is told to (4003, access changed) and keeps everyone else", async () => {
    const room = uniqueRoomId();
    const staying = await join(server, room, 2);
    const leaving = await openRawSocket(`ws://${server.host}/parties/main/${room}?token=${encodeURIComponent(await tokenFor(room, 1))}`);
    await eventually("usr_persist1 to be in the room", () =>
      worker.events.find((e) => e.userId === "usr_persist1" && e.type === "member_joined"),
    );

    const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)) as Uint8Array<ArrayBuffer>;
    const response = await control(room, "disconnect", json({ userIds: ["usr_persist1", "usr_nobody"] }));
    expect([response.status, await response.json()]).toEqual([200, { disconnected: 1 }]);
    expect(await closedWith(leaving)).toEqual({ code: RoomCloseCode.accessChanged, reason: roomCloseReason.accessChanged });
    await eventually("member_left for the disconnected user", () =>
      worker.events.find((e) => e.userId === "usr_persist1" && e.type === "member_left"),
    );

    staying.text.insert(0, "still here");
    await eventually(
      "the room to keep the other user's edits",
      async () => textIn(new Uint8Array(await (await control(room, "snapshot")).arrayBuffer())) === "still here",
    );
    for (const bad of [
      json({ userIds: [] }),
      json({ users: ["usr_persist2"] }),
      new TextEncoder().encode("not json") as Uint8Array<ArrayBuffer>,
    ]) {
      expect((await control(room, "disconnect", bad)).status).toBe(400);
    }
    expect(staying.provider.wsconnected).toBe(true);
  });

  it("refuses a restore body that is not a Y.js update with 400", async () => {
    const room = uniqueRoomId();
    expect((await control(room, "restore", new Uint8Array([0xff, 0xff, 0xff]))).status).toBe(400);
  });
});

describe("restart", () => {
  // Last in the file: it restarts the file's room server on the same storage directory.
  it("keeps the document, including what it loaded from the Worker, in room storage across a partykit dev restart", async () => {
    const room = uniqueRoomId();
    worker.latest.set(room, snapshotWith("loaded, ", ""));
    const writer = await join(server, room, 1);
    writer.text.insert(writer.text.length, "survives restarts");
    const check = await join(server, room, 2);
    await eventually("the edit to be in the room", () => check.text.toString() === "loaded, survives restarts");
    for (const client of clients.splice(0)) client.destroy();
    await server.stop();

    // The Worker now fails every load: whatever the restarted room shows came from its own storage.
    worker.unavailable.add(room);
    server = await startPartykitDev({ vars: roomVars(), persistTo });
    const reader = connectClient(server.host, room, await tokenFor(room, 3));
    clients.push(reader);
    await eventually("the restarted room to serve the stored document", () => reader.text.toString() === "loaded, survives restarts");
  });

  it("keeps the room events the Worker could not take, and sends them when the room starts again", async () => {
    const room = uniqueRoomId();
    worker.eventsDown.add(room);
    const client = await join(server, room, 4);
    const connectionId = client.provider.id;
    client.destroy();
    // One POST's retries (4 attempts) ran out while the Worker was down.
    await eventually("the room to give up on a POST of events", () => (worker.refusedEventPosts.get(room) ?? 0) >= 4);
    for (const c of clients.splice(0)) c.destroy();
    await server.stop();

    worker.eventsDown.delete(room);
    server = await startPartykitDev({ vars: roomVars(), persistTo });
    await join(server, room, 5);
    const sent = await eventually("the stored join and leave to reach the Worker", () => {
      const mine = worker.events.filter((e) => e.connectionId === connectionId);
      return mine.length >= 2 ? mine : undefined;
    });
    expect(sent.map((e) => e.type).sort()).toEqual(["member_joined", "member_left"]);
    expect(new Set(sent.map((e) => e.id)).size).toBe(2);
  });
});
