// RoomEventQueue with a stand-in for room storage: what the Worker cannot take is kept and sent
// with the next event, what it refuses for good is dropped, and a restarted room resumes.
import { describe, expect, it } from "vitest";
import { eventually } from "../scripts/lib/eventually";
import type { RoomEvent, RoomEventsBody } from "../shared/room-callbacks";
import { type EventStore, EventsRefused, newRoomEventId, RoomEventQueue } from "./room-events";
import { WorkerUnavailable } from "./worker-client";

function memoryStore(): EventStore & { keys(): string[] } {
  const data = new Map<string, RoomEvent>();
  return {
    put: async (key, value) => void data.set(key, value),
    delete: async (keys) => keys.filter((k) => data.delete(k)).length,
    list: async <T>({ prefix }: { prefix: string }) =>
      new Map([...data].filter(([k]) => k.startsWith(prefix))) as unknown as Map<string, T>,
    keys: () => [...data.keys()],
  };
}

let at = 0;
const event = (type: RoomEvent["type"] = "member_joined"): RoomEvent => ({
  id: newRoomEventId(),
  type,
  userId: "usr_q",
  name: "Q",
  role: "write",
  connectionId: `c${++at}`,
  at,
});

/** A Worker whose answers the test scripts: each POST takes the next outcome (the last repeats). */
function scriptedPost(outcomes: ("ok" | "down" | "refused")[]) {
  const posts: string[][] = [];
  const post = async (body: RoomEventsBody) => {
    posts.push(body.events.map((e) => e.id));
    const outcome = outcomes[Math.min(posts.length, outcomes.length) - 1];
    if (outcome === "down") throw new WorkerUnavailable("down");
    if (outcome === "refused") throw new EventsRefused("404");
  };
  return { post, posts };
}

describe("RoomEventQueue", () => {
  it("keeps what the Worker could not take and sends it with the next event; storage empties once it is taken", async () => {
    const store = memoryStore();
    const worker = scriptedPost(["down", "ok"]);
    const queue = new RoomEventQueue(worker.post, store);
    const first = event();
    queue.push(first);
    await eventually("the first POST", () => worker.posts.length === 1);
    expect(store.keys()).toEqual([`room-event:${first.id}`]);
    const second = event("member_left");
    queue.push(second);
    await eventually("the second POST", () => worker.posts.length === 2);
    expect(worker.posts[1]).toEqual([first.id, second.id]);
    await eventually("storage to empty", () => store.keys().length === 0);
  });

  it("drops events the Worker refuses for good", async () => {
    const store = memoryStore();
    const worker = scriptedPost(["refused", "ok"]);
    const queue = new RoomEventQueue(worker.post, store);
    queue.push(event());
    await eventually("storage to empty", () => worker.posts.length === 1 && store.keys().length === 0);
    queue.push(event());
    await eventually("the next POST", () => worker.posts.length === 2);
    expect(worker.posts[1]).toHaveLength(1);
  });

  it("a restarted room resumes with what the last run stored, oldest first", async () => {
    const store = memoryStore();
    const [older, newer] = [event(), event("member_left")];
    await store.put(`room-event:${newer.id}`, newer);
    await store.put(`room-event:${older.id}`, older);
    const worker = scriptedPost(["ok"]);
    await new RoomEventQueue(worker.post, store).resume();
    await eventually("the resumed POST", () => worker.posts.length === 1);
    expect(worker.posts[0]).toEqual([older.id, newer.id]);
    await eventually("storage to empty", () => store.keys().length === 0);
  });
});
