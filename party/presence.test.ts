// Presence through the room at 30 fps: coalesced per client, one frame per 33 ms, gone at once
// when a client disconnects.
import { describe, expect, it } from "vitest";
import { outdatedTimeout } from "y-protocols/awareness";
import { eventually } from "../scripts/lib/eventually";
import { PRESENCE_FRAME_MS } from "../shared/room-protocol";
import type { RoomGrant } from "../shared/room-token";
import { mintRoomToken } from "../worker/src/rooms/token";
import { connectSynced, type RoomClient, uniqueRoomId } from "./test/room-clients";
import { useRoomServer } from "./test/room-server";

const rooms = useRoomServer();
const { secret } = rooms;

const tokenFor = async (room: string, n: number, role: RoomGrant["role"] = "write") =>
  (await mintRoomToken(secret, { sub: `usr_presence${n}`, room, role, name: `Person ${n}`, sid: `ses_presence${n}` })).token;
async function join(room: string, n: number, role: RoomGrant["role"] = "write"): Promise<RoomClient> {
  return rooms.track(await connectSynced(rooms.server.host, room, await tokenFor(room, n, role)));
}
const stateOf = (observer: RoomClient, subject: RoomClient) => observer.provider.awareness.getStates().get(subject.doc.clientID);

describe("presence", () => {
  it("forwards a 144 Hz sender to a peer at no more than 30 frames a second, ending on its latest state", async () => {
    const room = uniqueRoomId();
    const sender = await join(room, 1);
    const peer = await join(room, 2);
    let frames = 0;
    peer.provider.awareness.on("update", ({ added, updated }: { added: number[]; updated: number[] }) => {
      if (added.includes(sender.doc.clientID) || updated.includes(sender.doc.clientID)) frames++;
    });

    const updates = 288; // two seconds at 144 Hz
    const startedAt = Date.now();
    await new Promise<void>((resolve) => {
      let sent = 0;
      // Timers drift on a busy machine: each tick catches up to 144 a second of wall time.
      const timer = setInterval(() => {
        const due = Math.min(updates, Math.floor(((Date.now() - startedAt) * 144) / 1000) + 1);
        while (sent < due) sender.provider.awareness.setLocalStateField("cursor", sent++);
        if (sent === updates) {
          clearInterval(timer);
          resolve();
        }
      }, 1000 / 144);
    });
    await eventually("the peer to see the sender's last cursor", () => stateOf(peer, sender)?.cursor === updates - 1);
    const elapsedMs = Date.now() - startedAt;

    // One frame per 33 ms over the whole window, plus the frame that opens it and the last one.
    expect(frames).toBeGreaterThanOrEqual(1);
    expect(frames).toBeLessThanOrEqual(Math.ceil(elapsedMs / PRESENCE_FRAME_MS) + 2);
    expect(frames).toBeLessThan(updates / 2);
  });

  it("batches several clients' changes into one awareness message per frame", async () => {
    const room = uniqueRoomId();
    const [a, b, observer] = [await join(room, 1), await join(room, 2), await join(room, 3)];
    const batches: number[][] = [];
    observer.provider.awareness.on("update", ({ added, updated }: { added: number[]; updated: number[] }) => {
      const ids = [...added, ...updated].filter((id) => id === a.doc.clientID || id === b.doc.clientID);
      if (ids.length > 0) batches.push(ids);
    });
    // Both change in the same turn, repeatedly: the room receives each pair within one frame.
    await new Promise<void>((resolve) => {
      let round = 0;
      const timer = setInterval(() => {
        round++;
        a.provider.awareness.setLocalStateField("cursor", `a${round}`);
        b.provider.awareness.setLocalStateField("cursor", `b${round}`);
        if (round === 20) {
          clearInterval(timer);
          resolve();
        }
      }, 10);
    });
    await eventually(
      "the observer to see both last cursors",
      () => stateOf(observer, a)?.cursor === "a20" && stateOf(observer, b)?.cursor === "b20",
    );
    expect(batches.some((ids) => ids.length === 2)).toBe(true);
  });

  it("shows a newcomer everyone's presence and relays a reader's", async () => {
    const room = uniqueRoomId();
    const writer = await join(room, 1);
    writer.provider.awareness.setLocalStateField("user", { id: "usr_presence1", name: "Person 1", color: "#f00" });
    const reader = await join(room, 2, "read");
    reader.provider.awareness.setLocalStateField("typing", false);
    await eventually("the reader to see the writer", () => stateOf(reader, writer)?.user?.name === "Person 1");
    await eventually("the writer to see the reader", () => stateOf(writer, reader)?.typing === false);
    const newcomer = await join(room, 3);
    await eventually(
      "the newcomer to see both",
      () => stateOf(newcomer, writer)?.user?.color === "#f00" && stateOf(newcomer, reader)?.typing === false,
    );
  });

  it("removes a disconnected client's presence at once, without waiting for the awareness timeout", async () => {
    const room = uniqueRoomId();
    const leaver = await join(room, 1);
    const peer = await join(room, 2);
    leaver.provider.awareness.setLocalStateField("cursor", 7);
    await eventually("the peer to see the cursor", () => stateOf(peer, leaver)?.cursor === 7);
    // Drop the socket without the provider's goodbye (a null state), as a crashed tab would.
    leaver.provider.shouldConnect = false;
    leaver.provider.ws?.close();
    // y-protocols drops a silent client's state 30 s after its last update, in the room and in the
    // peer: gone well before that, only the room's removal on close can have removed it.
    await eventually("the cursor to disappear", () => !peer.provider.awareness.getStates().has(leaver.doc.clientID), {
      timeoutMs: outdatedTimeout / 2,
    });
  });

  it("ignores presence another user's connection sends for someone else's client id", async () => {
    const room = uniqueRoomId();
    const victim = await join(room, 1);
    const mallory = await join(room, 2);
    victim.provider.awareness.setLocalStateField("cursor", "mine");
    await eventually("mallory to see the victim's cursor", () => stateOf(mallory, victim)?.cursor === "mine");
    // Mallory's provider announces a state under the victim's client id, then one of its own.
    const meta = mallory.provider.awareness.meta.get(victim.doc.clientID);
    mallory.provider.awareness.states.set(victim.doc.clientID, { cursor: "forged" });
    mallory.provider.awareness.meta.set(victim.doc.clientID, { clock: (meta?.clock ?? 0) + 100, lastUpdated: Date.now() });
    mallory.provider.awareness.emit("update", [{ added: [], updated: [victim.doc.clientID], removed: [] }, "local"]);
    mallory.provider.awareness.setLocalStateField("marker", "after-forgery");
    await eventually("the victim to see mallory's marker", () => stateOf(victim, mallory)?.marker === "after-forgery");
    const observer = await join(room, 3);
    await eventually("the observer to see mallory", () => stateOf(observer, mallory)?.marker === "after-forgery");
    expect(stateOf(observer, victim)?.cursor).toBe("mine");
  });
});
