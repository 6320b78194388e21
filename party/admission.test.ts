// Every connect is asked of the Worker (a Node stand-in that verifies signatures and answers as the
// test says): an unmodified y-partykit provider, which reconnects on its own with the token it was
// given, is refused once its access changed and its edits never reach anyone, also after the room
// server restarts. The room fails closed, disconnects by session, and a deleted project's room
// closes everyone and deletes its storage.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../scripts/lib/eventually";
import { ROOM_ACTION_HEADER, type RoomAction, roomControlPath, signRoomRequest } from "../shared/room-callbacks";
import { RoomCloseCode, roomCloseReason } from "../shared/room-protocol";
import type { RoomRole } from "../shared/room-token";
import { mintRoomToken } from "../worker/src/rooms/token";
import { type PartykitDev, startPartykitDev } from "./test/dev-server";
import { type FakeWorker, startFakeWorker } from "./test/fake-worker";
import { closedWith, connectClient, connectSynced, openRawSocket, type RoomClient, uniqueRoomId } from "./test/room-clients";

const secret = randomBytes(32).toString("base64url");
let worker: FakeWorker;
let server: PartykitDev;
/** Ours, not the helper's, so the room server can be restarted on the same storage. */
const persistTo = mkdtempSync(joinPath(tmpdir(), "plaza-room-admission-"));
const clients: RoomClient[] = [];
const withWorker = () => ({ ROOM_TOKEN_SECRET: secret, PLAZA_API_URL: worker.url });

const user = (n: number) => `usr_admit${n}`;
const tokenFor = async (room: string, n: number, options: { role?: RoomRole; session?: string } = {}) =>
  (
    await mintRoomToken(secret, {
      sub: user(n),
      room,
      role: options.role ?? "write",
      name: `Person ${n}`,
      sid: options.session ?? `ses_admit${n}`,
    })
  ).token;
const socketUrl = (room: string, token: string) => `ws://${server.host}/parties/main/${room}?token=${encodeURIComponent(token)}`;

/** A real provider, left to reconnect on its own; `closes` records every close code it sees. */
function watched(client: RoomClient): RoomClient & { closes: number[] } {
  const closes: number[] = [];
  client.provider.on("connection-close", (event: CloseEvent) => closes.push(event.code));
  clients.push(client);
  return Object.assign(client, { closes });
}
const join = async (room: string, n: number, options?: Parameters<typeof tokenFor>[2]) =>
  watched(await connectSynced(server.host, room, await tokenFor(room, n, options)));
const count = (codes: number[], code: number, from = 0) => codes.slice(from).filter((c) => c === code).length;

async function control(room: string, action: RoomAction, value?: unknown): Promise<Response> {
  const path = roomControlPath(room);
  const body = new TextEncoder().encode(value === undefined ? "" : JSON.stringify(value)) as Uint8Array<ArrayBuffer>;
  return fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { [ROOM_ACTION_HEADER]: action, ...(await signRoomRequest(secret, "POST", path, body)) },
    body,
  });
}

/** Stops the room server and starts it again on the same storage. */
async function restart(vars: Record<string, string>) {
  await server.stop();
  server = await startPartykitDev({ persistTo, vars });
}

beforeAll(async () => {
  worker = await startFakeWorker(secret);
  server = await startPartykitDev({ persistTo, vars: withWorker() });
});
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
  worker.roles.clear();
  worker.refused.clear();
});
afterAll(async () => {
  await server?.stop();
  await worker?.stop();
  rmSync(persistTo, { recursive: true, force: true });
});

describe("admission", () => {
  it("asks the Worker about every connect (user, session, role, connection) and admits with the role it answers", async () => {
    const room = uniqueRoomId();
    const writer = await join(room, 1);
    expect(worker.admissions.filter((a) => a.roomId === room)).toEqual([
      {
        roomId: room,
        userId: user(1),
        sessionId: "ses_admit1",
        role: "write",
        connectionId: writer.provider.id,
        tokenExpiresAt: expect.any(Number),
      },
    ]);

    // The Worker says user 2 may only read now, whatever their token says.
    worker.roles.set(user(2), "read");
    writer.text.insert(0, "shared");
    const demoted = await join(room, 2);
    await eventually("the demoted user to receive the document", () => demoted.text.toString() === "shared");
    demoted.text.insert(0, "DROPPED ");
    // Awareness travels on the same socket after the edit: once the writer sees it, the edit was processed.
    demoted.provider.awareness.setLocalStateField("marker", "after-edit");
    await eventually(
      "the writer to see the marker",
      () => writer.provider.awareness.getStates().get(demoted.doc.clientID)?.marker === "after-edit",
    );
    expect(writer.text.toString()).toBe("shared");
  });

  it("fails closed: while the Worker cannot answer nobody is admitted (1011, retryable), and the provider gets in once it answers", async () => {
    const room = uniqueRoomId();
    worker.admissionsDown = true;
    const raw = await openRawSocket(socketUrl(room, await tokenFor(room, 1)));
    expect(await closedWith(raw)).toEqual({ code: RoomCloseCode.internalError, reason: roomCloseReason.accessUnchecked });
    const client = watched(connectClient(server.host, room, await tokenFor(room, 2)));
    await eventually("the provider to be refused while the Worker is down", () => count(client.closes, RoomCloseCode.internalError) >= 1);
    worker.admissionsDown = false;
    await eventually("the provider to get in on its own", () => client.provider.synced);
  });

  it("refuses a deleted or unknown project (404) with 4404 and a refused user (403) with 4003", async () => {
    const [gone, room] = [uniqueRoomId(), uniqueRoomId()];
    worker.missing.add(gone);
    worker.refused.add(user(9));
    const [a, b] = await Promise.all([
      openRawSocket(socketUrl(gone, await tokenFor(gone, 1))),
      openRawSocket(socketUrl(room, await tokenFor(room, 9))),
    ]);
    expect([await closedWith(a), await closedWith(b)]).toEqual([
      { code: RoomCloseCode.projectNotFound, reason: roomCloseReason.projectNotFound },
      { code: RoomCloseCode.accessChanged, reason: roomCloseReason.accessChanged },
    ]);
  });

  it("disconnects by session: the ended session's sockets close (4003), the same user's other session stays", async () => {
    const room = uniqueRoomId();
    const kept = await join(room, 3, { session: "ses_admitKept" });
    const ended = await openRawSocket(socketUrl(room, await tokenFor(room, 3, { session: "ses_admitEnded" })));
    await eventually("both sessions to be admitted", () => worker.admissions.filter((a) => a.roomId === room).length === 2);
    const res = await control(room, "disconnect", { sessionIds: ["ses_admitEnded"] });
    expect([res.status, await res.json()]).toEqual([200, { disconnected: 1 }]);
    expect(await closedWith(ended)).toEqual({ code: RoomCloseCode.accessChanged, reason: roomCloseReason.accessChanged });
    expect([kept.provider.wsconnected, kept.closes]).toEqual([true, []]);
  });
});

describe("an unmodified provider whose access changed", () => {
  it("reconnects on its own with its old token, is refused every time, and its edits never reach the others, also after a restart", async () => {
    const room = uniqueRoomId();
    const [adaToken, bobToken] = [await tokenFor(room, 1), await tokenFor(room, 2)];
    const ada = watched(connectClient(server.host, room, adaToken));
    const bob = watched(connectClient(server.host, room, bobToken));
    bob.text.insert(0, "before; ");
    await eventually("ada to see bob's edit from before the change", () => ada.text.toString() === "before; ");

    // Bob loses access: the Worker refuses him from now on and tells the room to close his socket.
    worker.refused.add(user(2));
    expect((await control(room, "disconnect", { userIds: [user(2)] })).status).toBe(200);
    await eventually("bob's socket to close with 4003", () => count(bob.closes, RoomCloseCode.accessChanged) >= 1);
    bob.text.insert(bob.text.length, "LEAKED");
    const asked = worker.admissions.filter((a) => a.userId === user(2)).length;
    await eventually(
      "bob's provider to be refused again and again with the same token",
      () => count(bob.closes, RoomCloseCode.accessChanged) >= 4,
    );
    expect(worker.admissions.filter((a) => a.userId === user(2)).length).toBeGreaterThan(asked);

    ada.text.insert(ada.text.length, "ada after");
    const carol = await join(room, 3);
    await eventually("a newcomer to get ada's later edit", () => carol.text.toString() === "before; ada after");
    expect([ada.text.toString(), bob.provider.synced]).toEqual(["before; ada after", false]);

    // The room server restarts on the same storage: nothing about bob survives in its memory. Node's
    // WebSocket never reports a refused handshake as closed, so a provider that tried while the
    // server was down would wait forever: the same documents get stock providers again, with the same tokens.
    for (const client of [ada, bob, carol]) client.provider.destroy();
    const askedBefore = worker.admissions.filter((a) => a.userId === user(2)).length;
    await restart(withWorker());
    const bobAgain = watched(connectClient(server.host, room, bobToken, bob.doc));
    const adaAgain = watched(connectClient(server.host, room, adaToken, ada.doc));
    await eventually("ada to be admitted again after the restart", () => adaAgain.provider.synced);
    await eventually("bob's old token to be refused after the restart too", () => count(bobAgain.closes, RoomCloseCode.accessChanged) >= 3);
    expect(worker.admissions.filter((a) => a.userId === user(2)).length).toBeGreaterThan(askedBefore);
    adaAgain.text.insert(adaAgain.text.length, "; after restart");
    const dave = await join(room, 4);
    await eventually("a newcomer after the restart to get ada's edits", () => dave.text.toString() === "before; ada after; after restart");
    expect([adaAgain.text.toString(), bobAgain.text.toString()]).toEqual(["before; ada after; after restart", "before; LEAKED"]);
  });
});

describe("teardown", () => {
  // Last in the file: it restarts the room server without a Worker.
  it("closes every socket with 4404, refuses newcomers, deletes the room's storage and confirms; again is harmless", async () => {
    const [room, other] = [uniqueRoomId(), uniqueRoomId()];
    const a = await join(room, 1);
    const b = await join(room, 2);
    a.text.insert(0, "doomed content");
    await eventually("b to see a's edit", () => b.text.toString() === "doomed content");
    const kept = await join(other, 3);
    kept.text.insert(0, "kept content");
    await eventually("the other room to hold its edit", async () => (await join(other, 4)).text.toString() === "kept content");

    const res = await control(room, "teardown");
    expect([res.status, await res.json()]).toEqual([200, { tornDown: true, disconnected: 2 }]);
    for (const client of [a, b])
      await eventually("each client to be closed with 4404", () => count(client.closes, RoomCloseCode.projectNotFound) >= 1);
    const newcomer = await openRawSocket(socketUrl(room, await tokenFor(room, 5)));
    expect(await closedWith(newcomer)).toEqual({ code: RoomCloseCode.projectNotFound, reason: roomCloseReason.projectDeleted });
    expect((await control(room, "teardown")).status).toBe(200);

    // Only storage can speak now: a room server without a Worker, on the same storage.
    for (const client of clients.splice(0)) client.destroy();
    await restart({ ROOM_TOKEN_SECRET: secret });
    const fresh = await join(room, 6);
    const check = await join(other, 7);
    expect([fresh.text.toString(), check.text.toString()]).toEqual(["", "kept content"]);
  });
});
