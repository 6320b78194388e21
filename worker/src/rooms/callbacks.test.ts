/**
 * The room callbacks: signatures (good, missing, wrong key, stale, other path, tampered body),
 * snapshot dedupe, large snapshots through R2 and back via `latest`, the document cap, idempotent
 * room events, and the webhook events they write, checked against the catalog schemas.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MAX_DOCUMENT_BYTES, ROOM_SIGNATURE_TOLERANCE_MS, type RoomEvent, roomCallbackPaths } from "../../../shared/room-callbacks";
import { WEBHOOK_EVENTS, WEBHOOK_EXAMPLES, webhookPayload } from "../../../shared/webhook-events";
import { type OrgFixture, orgFixture } from "../../test/fixtures";
import { createProject, documentWith, roomCall } from "../../test/rooms";
import { INLINE_SNAPSHOT_MAX_BYTES } from "../projects/snapshots";

let fx: OrgFixture;
let projectId: string;
beforeAll(async () => {
  fx = await orgFixture();
  projectId = (await createProject(fx.owner, fx.orgId)).body.id;
});

const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;
const eventsOf = (type: string, field: string, value: string) =>
  env.DB.prepare(`SELECT id, org_id, payload FROM webhook_events WHERE type = ? AND json_extract(payload, '$.data.${field}') = ?`)
    .bind(type, value)
    .all<{ id: string; org_id: string; payload: string }>();
const randomBytes = (n: number) => {
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(bytes.subarray(i, Math.min(n, i + 65536)));
  return bytes;
};

describe("signatures", () => {
  it("a good one is accepted; missing, wrong-key, stale, other-path and tampered ones are 401 invalid_signature", async () => {
    const path = roomCallbackPaths.snapshots(projectId);
    const body = documentWith("signed");
    const other = (await createProject(fx.owner, fx.orgId)).body.id as string;
    const cases = {
      missing: roomCall("POST", path, body, { unsigned: true }),
      wrongKey: roomCall("POST", path, body, { secret: "a-different-secret-that-is-long-enough-0123" }),
      stale: roomCall("POST", path, body, { now: Date.now() - ROOM_SIGNATURE_TOLERANCE_MS - 60_000 }),
      future: roomCall("POST", path, body, { now: Date.now() + ROOM_SIGNATURE_TOLERANCE_MS + 60_000 }),
      otherRoom: roomCall("POST", path, body, { signedPath: roomCallbackPaths.snapshots(other) }),
      tampered: roomCall("POST", path, body, { signedBody: documentWith("something else") }),
      garbled: roomCall("POST", path, body, { headers: { "x-plaza-room-signature": "v1,not base64!" } }),
      latestUnsigned: roomCall("GET", roomCallbackPaths.latestSnapshot(projectId), undefined, { unsigned: true }),
      eventsWrongKey: roomCall(
        "POST",
        roomCallbackPaths.events(projectId),
        { events: [] },
        { secret: "a-different-secret-that-is-long-enough-0123" },
      ),
    };
    for (const [name, pending] of Object.entries(cases)) {
      const res = await pending;
      expect([res.status, await code(res)], name).toEqual([401, "invalid_signature"]);
    }
    const count = await env.DB.prepare("SELECT count(*) AS n FROM project_snapshots WHERE project_id = ?")
      .bind(projectId)
      .first<{ n: number }>();
    expect(count!.n).toBe(0);

    const good = await roomCall("POST", path, body);
    expect(good.status).toBe(201);
    expect((await good.json<{ id: string }>()).id).toMatch(/^snp_/);
  });

  it("an unknown room is 404, an unknown reason 400", async () => {
    const unknown = await roomCall("POST", roomCallbackPaths.snapshots("prj_doesNotExist000000"), documentWith("x"));
    expect([unknown.status, await code(unknown)]).toEqual([404, "not_found"]);
    const reason = await roomCall("POST", roomCallbackPaths.snapshots(projectId), documentWith("x"), {
      headers: { "x-plaza-snapshot-reason": "whenever" },
    });
    expect([reason.status, await code(reason)]).toEqual([400, "invalid_request"]);
  });
});

describe("snapshots", () => {
  it("are deduplicated against the latest, and each stored one writes project.snapshot.created", async () => {
    const { id: project } = (await createProject(fx.owner, fx.orgId)).body;
    const path = roomCallbackPaths.snapshots(project);
    const none = await roomCall("GET", roomCallbackPaths.latestSnapshot(project));
    expect(none.status).toBe(204);

    const a = documentWith("first");
    const b = documentWith("second");
    const first = await roomCall("POST", path, a);
    const { id: firstId } = await first.json<{ id: string }>();
    expect(first.status).toBe(201);
    const repeat = await roomCall("POST", path, a);
    expect([repeat.status, (await repeat.json<{ id: string }>()).id]).toEqual([200, firstId]);
    const second = await roomCall("POST", path, b, { headers: { "x-plaza-snapshot-reason": "restore" } });
    expect(second.status).toBe(201);
    const { id: secondId } = await second.json<{ id: string }>();
    // The same bytes as an older (not the latest) snapshot are a new snapshot.
    expect((await roomCall("POST", path, a)).status).toBe(201);

    const rows = await env.DB.prepare("SELECT id, reason FROM project_snapshots WHERE project_id = ? ORDER BY created_at, id")
      .bind(project)
      .all<{ id: string; reason: string }>();
    expect(rows.results).toHaveLength(3);
    const events = await eventsOf("project.snapshot.created", "projectId", project);
    expect(events.results).toHaveLength(3);
    for (const e of events.results) {
      expect(e.org_id).toBe(fx.orgId);
      webhookPayload("project.snapshot.created").parse(JSON.parse(e.payload));
    }
    const ofSecond = events.results.map((e) => JSON.parse(e.payload).data).find((d) => d.snapshotId === secondId);
    expect(ofSecond).toMatchObject({ projectId: project, reason: "restore", sizeBytes: b.byteLength });
    expect(ofSecond.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("larger than the inline limit go to R2 and come back byte for byte from latest", async () => {
    const { id: project } = (await createProject(fx.owner, fx.orgId)).body;
    // A real update (snapshots must decode as one), made large by random text.
    const big = documentWith(
      Array.from(randomBytes(INLINE_SNAPSHOT_MAX_BYTES / 2 + 1000), (b) => b.toString(16).padStart(2, "0")).join(""),
    );
    const res = await roomCall("POST", roomCallbackPaths.snapshots(project), big);
    expect(res.status).toBe(201);
    const { id } = await res.json<{ id: string }>();
    const row = await env.DB.prepare("SELECT r2_key, body, size_bytes FROM project_snapshots WHERE id = ?")
      .bind(id)
      .first<{ r2_key: string | null; body: unknown; size_bytes: number }>();
    expect(row).toMatchObject({ r2_key: `projects/${project}/snapshots/${id}`, body: null, size_bytes: big.byteLength });
    expect(await env.BUCKET.head(row!.r2_key!)).not.toBeNull();

    const latest = await roomCall("GET", roomCallbackPaths.latestSnapshot(project));
    expect(latest.status).toBe(200);
    expect(latest.headers.get("content-type")).toBe("application/octet-stream");
    expect(new Uint8Array(await latest.arrayBuffer())).toEqual(big);

    // A byte-identical repeat leaves no second object behind.
    expect((await roomCall("POST", roomCallbackPaths.snapshots(project), big)).status).toBe(200);
    expect((await env.BUCKET.list({ prefix: `projects/${project}/` })).objects).toHaveLength(1);

    const small = documentWith("small again");
    await roomCall("POST", roomCallbackPaths.snapshots(project), small);
    expect(new Uint8Array(await (await roomCall("GET", roomCallbackPaths.latestSnapshot(project))).arrayBuffer())).toEqual(small);
  });

  it("over the document cap are 413 document_too_large and store nothing", async () => {
    const { id: project } = (await createProject(fx.owner, fx.orgId)).body;
    const res = await roomCall("POST", roomCallbackPaths.snapshots(project), new Uint8Array(DEFAULT_MAX_DOCUMENT_BYTES + 1));
    expect([res.status, await code(res)]).toEqual([413, "document_too_large"]);
    expect((await roomCall("GET", roomCallbackPaths.latestSnapshot(project))).status).toBe(204);
  });
});

it("the catalog's examples of the two room events match their schemas", () => {
  for (const type of ["project.snapshot.created", "room.member_joined"] as const) WEBHOOK_EVENTS[type].data.parse(WEBHOOK_EXAMPLES[type]);
});

describe("events", () => {
  const event = (type: RoomEvent["type"], user = fx.member, extra: Partial<RoomEvent> = {}): RoomEvent => ({
    id: `rev_${crypto.randomUUID().replaceAll("-", "")}`,
    type,
    userId: user.id,
    name: user.name,
    role: "write",
    connectionId: `conn-${crypto.randomUUID()}`,
    at: Date.now(),
    ...extra,
  });

  it("are recorded once per event id: audit rows for joined and left, room.member_joined for joins", async () => {
    const joined = event("member_joined");
    const left = event("member_left", fx.member, { connectionId: joined.connectionId });
    const path = roomCallbackPaths.events(projectId);
    const first = await roomCall("POST", path, { events: [joined, left] });
    expect([first.status, await first.json()]).toEqual([202, { recorded: 2 }]);
    const retried = await roomCall("POST", path, { events: [joined, left] });
    expect([retried.status, await retried.json()]).toEqual([202, { recorded: 0 }]);

    const audit = await env.DB.prepare(
      "SELECT action, org_id, actor_user_id FROM audit_events WHERE target_id = ? AND action LIKE 'room.%' ORDER BY action",
    )
      .bind(projectId)
      .all();
    expect(audit.results).toEqual([
      { action: "room.member_joined", org_id: fx.orgId, actor_user_id: fx.member.id },
      { action: "room.member_left", org_id: fx.orgId, actor_user_id: fx.member.id },
    ]);
    const events = await eventsOf("room.member_joined", "projectId", projectId);
    expect(events.results).toHaveLength(1);
    const payload = webhookPayload("room.member_joined").parse(JSON.parse(events.results[0]!.payload));
    expect(payload.data).toEqual({ projectId, userId: fx.member.id, name: fx.member.name, role: "write", joinedAt: joined.at });
    const stored = await env.DB.prepare("SELECT count(*) AS n FROM room_events WHERE id IN (?, ?)")
      .bind(joined.id, left.id)
      .first<{ n: number }>();
    expect(stored!.n).toBe(2);
  });

  it("that are not a RoomEventsBody are 400, never 500", async () => {
    const path = roomCallbackPaths.events(projectId);
    for (const body of [
      { events: [] },
      { events: [{ ...event("member_joined"), id: "nope" }] },
      { events: [{ ...event("member_joined"), userId: "usr_x" }] },
      { hello: 1 },
    ]) {
      const res = await roomCall("POST", path, body);
      expect([res.status, await code(res)], JSON.stringify(body)).toEqual([400, "invalid_request"]);
    }
    const notJson = await roomCall("POST", path, new TextEncoder().encode("{not json"), {
      headers: { "content-type": "application/json" },
    });
    expect([notJson.status, await code(notJson)]).toEqual([400, "invalid_request"]);
  });
});
