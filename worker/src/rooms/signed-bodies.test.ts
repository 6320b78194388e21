/**
 * Room callbacks whose signature is right but whose body is not what the route takes: 400
 * invalid_request, and nothing is recorded (no snapshot, no room event, no admission).
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { roomCallbackPaths } from "../../../shared/room-callbacks";
import { createOrg, createUser } from "../../test/fixtures";
import { createProject, documentWith, roomCall } from "../../test/rooms";

let projectId: string;
beforeAll(async () => {
  const owner = await createUser("signed-bodies");
  projectId = (await createProject(owner, (await createOrg(owner)).id)).body.id;
});

const count = async (table: string) =>
  (await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE project_id = ?`).bind(projectId).first<{ n: number }>())!.n;
const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe("a correctly signed room callback body of the wrong shape", () => {
  it("a snapshot that is not a Y.js update (random bytes, empty, JSON) is refused and not stored", async () => {
    const notUpdates = [
      crypto.getRandomValues(new Uint8Array(2048)),
      new Uint8Array(),
      new TextEncoder().encode('{"events":[]}'),
      new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]),
    ];
    for (const body of notUpdates) {
      const res = await roomCall("POST", roomCallbackPaths.snapshots(projectId), body);
      expect([res.status, await code(res)], `${body.byteLength} bytes`).toEqual([400, "invalid_request"]);
    }
    expect(await count("project_snapshots")).toBe(0);
    expect((await roomCall("POST", roomCallbackPaths.snapshots(projectId), documentWith("a real one"))).status).toBe(201);
  });

  it("events that are not JSON, not an object, or carry numbers past any time are refused and not recorded", async () => {
    const event = {
      id: "rev_abcdefgh",
      type: "member_joined",
      userId: "usr_abcdefghijklmnopqrst",
      name: "A",
      role: "write",
      connectionId: "c1",
      at: Date.now(),
    };
    const bodies = [
      new TextEncoder().encode("{"),
      new TextEncoder().encode("null"),
      { events: [] },
      { events: [{ ...event, at: 1e300 }] },
      { events: [{ ...event, at: 253_402_300_800_000 }] },
      { events: [{ ...event, at: -1 }] },
      { events: [{ ...event, userId: null }] },
    ];
    for (const body of bodies) {
      const res = await roomCall("POST", roomCallbackPaths.events(projectId), body);
      expect([res.status, await code(res)], JSON.stringify(body)).toEqual([400, "invalid_request"]);
    }
    expect(await count("room_events")).toBe(0);
  });
});
