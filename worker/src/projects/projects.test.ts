/**
 * Projects: CRUD and tenancy, installed items (entitlement required), assets in R2, room tokens,
 * and snapshots taken and restored through a scripted room (worker/test/scripted-room.ts).
 */
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { jwtVerify } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ASSET_MAX_BYTES, PROJECT_STATE_MAX_BYTES, Project, SnapshotDetail, SnapshotList } from "../../../shared/projects";
import {
  ROOM_TOKEN_AUDIENCE,
  ROOM_TOKEN_ISSUER,
  ROOM_TOKEN_MAX_TTL_SECONDS,
  RoomTokenClaimsSchema,
  roomTokenKey,
} from "../../../shared/room-token";
import { insertItem } from "../../test/catalog-fixtures";
import { getFreeItem } from "../../test/entitlement-fixtures";
import { eventually } from "../../test/eventually";
import { type OrgFixture, orgFixture } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";
import { fixtureBytes, PDF_AS_PNG, SMALL_PNG } from "../../test/media-fixtures";
import { ownerAccess } from "../../test/project-fixtures";
import { createProject, documentWith, rawCall, roomCall } from "../../test/rooms";
import { scriptedRoom } from "../../test/scripted-room";
import { backgroundContext } from "../context";
import { runtime } from "../modules";
import { putAsset } from "./assets";
import { projects } from "./tables";

let fx: OrgFixture;
beforeAll(async () => {
  fx = await orgFixture();
});

const base = (projectId: string, orgId = fx.orgId) => `/v1/orgs/${orgId}/projects/${projectId}`;
/** Media rows of the project's files (their keys are under its prefix). */
const mediaCount = (projectId: string) =>
  env.DB.prepare("SELECT count(*) AS n FROM media WHERE key LIKE ?").bind(`projects/${projectId}/%`).first<number>("n");

describe("projects", () => {
  it("are created, read, changed and deleted by the roles the contract names", async () => {
    const created = await createProject(fx.member, fx.orgId, { name: "  Roadmap  " });
    expect(Project.parse(created.body)).toMatchObject({
      name: "Roadmap",
      memberRole: "write",
      role: "write",
      state: {},
      items: [],
      assets: [],
      createdBy: fx.member.id,
    });
    const id = created.body.id as string;
    expect(id).toMatch(/^prj_/);

    const list = await call("GET", `/v1/orgs/${fx.orgId}/projects`, { token: fx.member.accessToken });
    expect(list.body.projects.map((p: { id: string }) => p.id)).toContain(id);

    const state = { theme: "dark", grid: { columns: 12 } };
    const patched = await call("PATCH", base(id), { token: fx.member.accessToken, body: { name: "Roadmap 2027", state } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: "Roadmap 2027", state });

    // memberRole is for admins; state is capped at 64 KB.
    const byMember = await call("PATCH", base(id), { token: fx.member.accessToken, body: { memberRole: "read" } });
    expect([byMember.status, errorCode(byMember)]).toEqual([403, "forbidden"]);
    const huge = await call("PATCH", base(id), {
      token: fx.member.accessToken,
      body: { state: { blob: "x".repeat(PROJECT_STATE_MAX_BYTES) } },
    });
    expect([huge.status, errorCode(huge)]).toEqual([400, "invalid_request"]);
    expect(Object.keys(huge.body.error.fields)).toContain("body.state");
    const empty = await call("PATCH", base(id), { token: fx.member.accessToken, body: {} });
    expect(empty.status).toBe(400);

    const readOnly = await call("PATCH", base(id), { token: fx.admin.accessToken, body: { memberRole: "read" } });
    expect(readOnly.body).toMatchObject({ memberRole: "read", role: "write" });
    const asMember = await call("GET", base(id), { token: fx.member.accessToken });
    expect(asMember.body.role).toBe("read");
    const refused = await call("PATCH", base(id), { token: fx.member.accessToken, body: { name: "Mine now" } });
    expect([refused.status, errorCode(refused)]).toEqual([403, "forbidden"]);

    expect((await call("DELETE", base(id), { token: fx.member.accessToken })).status).toBe(403);
    expect((await call("DELETE", base(id), { token: fx.admin.accessToken })).status).toBe(204);
    expect((await call("GET", base(id), { token: fx.owner.accessToken })).status).toBe(404);
    const audit = await env.DB.prepare("SELECT action FROM audit_events WHERE target_id = ? ORDER BY created_at")
      .bind(id)
      .all<{ action: string }>();
    expect(audit.results.map((r) => r.action)).toEqual(expect.arrayContaining(["project.created", "project.updated", "project.deleted"]));
  });

  it("are invisible to other orgs: their org id, and our project id under their own org, are both 404", async () => {
    const { body } = await createProject(fx.owner, fx.orgId);
    for (const path of [base(body.id), base(body.id, fx.outsiderOrgId), `${base(body.id, fx.outsiderOrgId)}/snapshots`]) {
      const res = await call("GET", path, { token: fx.outsider.accessToken });
      expect([res.status, errorCode(res)], path).toEqual([404, "not_found"]);
    }
    const list = await call("GET", `/v1/orgs/${fx.outsiderOrgId}/projects`, { token: fx.outsider.accessToken });
    expect(list.body.projects.map((p: { id: string }) => p.id)).not.toContain(body.id);
    expect(
      (await call("PATCH", base(body.id, fx.outsiderOrgId), { token: fx.outsider.accessToken, body: { name: "stolen" } })).status,
    ).toBe(404);
  });

  it("are listed newest first in pages: every project once, even those created in the same millisecond", async () => {
    const org = await orgFixture();
    const made = [];
    for (let i = 0; i < 3; i++) made.push((await createProject(org.owner, org.orgId, { name: `p${i}` })).body.id as string);
    // The first two share one created_at: the id breaks the tie, so the pages neither skip nor repeat them.
    const createdAt = (id: string, at: number) => env.DB.prepare("UPDATE projects SET created_at = ? WHERE id = ?").bind(at, id).run();
    await Promise.all([createdAt(made[0]!, 1_000), createdAt(made[1]!, 1_000), createdAt(made[2]!, 2_000)]);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { status: number; body: { projects: { id: string }[]; nextCursor: string | null } } = await call(
        "GET",
        `/v1/orgs/${org.orgId}/projects?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        { token: org.member.accessToken },
      );
      expect(page.status).toBe(200);
      expect(page.body.projects.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.projects.map((p) => p.id));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(2);
    expect(seen.sort()).toEqual([...made].sort());
    expect((await call("GET", `/v1/orgs/${org.orgId}/projects`, { token: org.member.accessToken })).body.projects[0].id).toBe(made[2]);
    for (const query of ["cursor=not-a-cursor", "limit=0", "limit=101"]) {
      const bad = await call("GET", `/v1/orgs/${org.orgId}/projects?${query}`, { token: org.member.accessToken });
      expect([bad.status, errorCode(bad)], query).toEqual([400, "invalid_request"]);
    }
  });
});

describe("installed items", () => {
  it("need an active entitlement of the installer, and show whether it is still active", async () => {
    const { body: project } = await createProject(fx.owner, fx.orgId);
    const item = await insertItem(fx.outsiderOrgId);
    const path = `${base(project.id)}/items/${item.slug}`;

    const refused = await call("PUT", path, { token: fx.member.accessToken });
    expect([refused.status, errorCode(refused)]).toEqual([403, "entitlement_required"]);

    await getFreeItem(fx.member, item.slug);
    const installed = await call("PUT", path, { token: fx.member.accessToken });
    expect(installed.status).toBe(200);
    expect(installed.body).toMatchObject({ itemId: item.id, slug: item.slug, installedBy: fx.member.id, active: true });
    expect((await call("PUT", path, { token: fx.member.accessToken })).status).toBe(200);

    // Their entitlement to this item, not to any item: one to another item keeps this one inactive.
    await getFreeItem(fx.member, (await insertItem(fx.outsiderOrgId)).slug);
    await env.DB.prepare("UPDATE entitlements SET status = 'revoked' WHERE user_id = ? AND item_id = ?").bind(fx.member.id, item.id).run();
    const shown = await call("GET", base(project.id), { token: fx.member.accessToken });
    expect(shown.body.items).toEqual([expect.objectContaining({ slug: item.slug, active: false })]);

    const unknown = await call("PUT", `${base(project.id)}/items/no-such-item-here`, { token: fx.member.accessToken });
    expect(unknown.status).toBe(404);
    expect((await call("DELETE", path, { token: fx.member.accessToken })).status).toBe(204);
    expect((await call("DELETE", path, { token: fx.member.accessToken })).status).toBe(404);
    expect((await call("GET", base(project.id), { token: fx.member.accessToken })).body.items).toEqual([]);
  });
});

describe("assets", () => {
  it("round-trip through R2 with their content type, replace in place, and go with the project", async () => {
    const { body: project } = await createProject(fx.owner, fx.orgId);
    const path = `${base(project.id)}/assets/notes.md`;
    const bytes = new TextEncoder().encode("# Notes\n\nShip it.");
    const put = await rawCall("PUT", path, fx.member.accessToken, bytes, "text/markdown; charset=utf-8");
    expect(put.status).toBe(200);
    const stored = await put.json<{ sha256: string; size: number; contentType: string }>();
    // Not an image: nothing to process, ready at once.
    expect(stored).toMatchObject({ size: bytes.byteLength, contentType: "text/markdown; charset=utf-8", state: "ready", failure: null });
    expect(stored.sha256).toBe(
      [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join(""),
    );

    const got = await rawCall("GET", path, fx.member.accessToken);
    expect(got.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(bytes);

    // A JSON asset over the 1 MB JSON-body limit is an asset, not a JSON body.
    const big = new TextEncoder().encode(JSON.stringify({ data: "y".repeat(1_500_000) }));
    expect((await rawCall("PUT", path, fx.member.accessToken, big, "application/json")).status).toBe(200);
    const listed = await env.BUCKET.list({ prefix: `projects/${project.id}/` });
    expect(listed.objects).toHaveLength(1);
    // The replaced file's media row went with its bytes.
    expect(await mediaCount(project.id)).toBe(1);
    const again = await rawCall("GET", path, fx.member.accessToken);
    expect([again.headers.get("content-type"), (await again.arrayBuffer()).byteLength]).toEqual(["application/json", big.byteLength]);
    expect((await call("GET", base(project.id), { token: fx.member.accessToken })).body.assets).toEqual([
      expect.objectContaining({ name: "notes.md", size: big.byteLength }),
    ]);

    expect((await call("DELETE", base(project.id), { token: fx.owner.accessToken })).status).toBe(204);
    expect((await env.BUCKET.list({ prefix: `projects/${project.id}/` })).objects).toHaveLength(0);
    expect(await mediaCount(project.id)).toBe(0);
  });

  it("an image asset is processed: downloadable once ready (409 media_not_ready before), with its size and placeholder; deleting it discards its media", async () => {
    const { body: project } = await createProject(fx.owner, fx.orgId);
    const path = `${base(project.id)}/assets/photo.png`;
    const put = await rawCall("PUT", path, fx.member.accessToken, fixtureBytes(SMALL_PNG), "image/png");
    expect(put.status).toBe(200);
    expect(["uploaded", "processing", "ready"]).toContain((await put.json<{ state: string }>()).state);
    const ready = await eventually(async () => {
      const [asset] = (await call("GET", base(project.id), { token: fx.member.accessToken })).body.assets;
      return asset?.state === "ready" ? asset : undefined;
    }, "the image asset processed");
    expect(ready).toMatchObject({ width: 20, height: 10, failure: null, placeholder: expect.stringMatching(/^data:image\/webp;base64,/) });
    const download = await rawCall("GET", path, fx.member.accessToken);
    expect([download.status, download.headers.get("content-type")]).toEqual([200, "image/png"]);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(fixtureBytes(SMALL_PNG));

    // Still being processed (as when a lost message is picked up again): the download waits.
    await env.DB.prepare("UPDATE media SET state = 'processing' WHERE key IN (SELECT r2_key FROM project_assets WHERE project_id = ?)")
      .bind(project.id)
      .run();
    const busy = await rawCall("GET", path, fx.member.accessToken);
    expect([busy.status, (await busy.json<{ error: { code: string } }>()).error.code]).toEqual([409, "media_not_ready"]);
    expect((await call("GET", base(project.id), { token: fx.member.accessToken })).body.assets[0]).toMatchObject({
      state: "processing",
      placeholder: null,
    });

    expect((await call("DELETE", path, { token: fx.member.accessToken })).status).toBe(204);
    expect(await mediaCount(project.id)).toBe(0);
  });

  it("an image Plaza cannot read ends failed with the reason, and its download answers 422 media_failed", async () => {
    const { body: project } = await createProject(fx.owner, fx.orgId);
    const path = `${base(project.id)}/assets/scan.png`;
    expect((await rawCall("PUT", path, fx.member.accessToken, fixtureBytes(PDF_AS_PNG), "image/png")).status).toBe(200);
    const failed = await eventually(async () => {
      const [asset] = (await call("GET", base(project.id), { token: fx.member.accessToken })).body.assets;
      return asset?.state === "failed" ? asset : undefined;
    }, "the asset's processing failed");
    expect(failed.failure).toMatch(/not an image Plaza can read/);
    const download = await rawCall("GET", path, fx.member.accessToken);
    const { error } = await download.json<{ error: { code: string; message: string } }>();
    expect([download.status, error.code, error.message]).toEqual([422, "media_failed", failed.failure]);
  });

  it("are capped at 25 MB (413), need a valid name, and are read-only for readers", async () => {
    const { body: project } = await createProject(fx.owner, fx.orgId, { memberRole: "read" });
    const tooBig = await rawCall(
      "PUT",
      `${base(project.id)}/assets/big.bin`,
      fx.owner.accessToken,
      new Uint8Array(PROJECT_ASSET_MAX_BYTES + 1),
      "application/octet-stream",
    );
    expect(tooBig.status).toBe(413);
    expect((await tooBig.json<{ error: { code: string } }>()).error.code).toBe("payload_too_large");
    expect((await env.BUCKET.list({ prefix: `projects/${project.id}/` })).objects).toHaveLength(0);

    expect((await rawCall("PUT", `${base(project.id)}/assets/.hidden`, fx.owner.accessToken, new Uint8Array(1), "text/plain")).status).toBe(
      400,
    );
    expect((await rawCall("PUT", `${base(project.id)}/assets/a.txt`, fx.member.accessToken, new Uint8Array(1), "text/plain")).status).toBe(
      403,
    );
    expect((await call("GET", `${base(project.id)}/assets/missing.txt`, { token: fx.member.accessToken })).status).toBe(404);
  });
});

describe("an asset upload whose project is deleted while its bytes stream in", () => {
  it("answers 404 and leaves no bytes behind in R2", async () => {
    const { body: created } = await createProject(fx.owner, fx.orgId);
    const ctx = backgroundContext(env, { requestId: "late-upload", handlers: runtime.events });
    // The upload passed the route's project check (this is what it loaded) before the project went.
    const project = (await ctx.db.select().from(projects).where(eq(projects.id, created.id)))[0]!;
    const access = ownerAccess(fx, project);
    expect((await call("DELETE", base(project.id), { token: fx.owner.accessToken })).status).toBe(204);
    // The body as a runtime stream, as a request's is (a stream made in JS cannot be piped into the FixedLengthStream).
    await env.BUCKET.put("test/late-upload", new Uint8Array(64));
    const body = (await env.BUCKET.get("test/late-upload"))!.body;
    const upload = putAsset(ctx, { access, name: "late.bin", body, contentType: "application/octet-stream", contentLength: "64" });
    await expect(upload).rejects.toMatchObject({ code: "not_found", status: 404 });
    expect((await env.BUCKET.list({ prefix: `projects/${project.id}/` })).objects).toHaveLength(0);
  });
});

describe("room tokens", () => {
  const verify = async (token: string) =>
    (await jwtVerify(token, roomTokenKey(env.ROOM_TOKEN_SECRET), { issuer: ROOM_TOKEN_ISSUER, audience: ROOM_TOKEN_AUDIENCE })).payload;

  it("carry user, project and role: write for admins, and for members only when memberRole is write", async () => {
    const { body: open } = await createProject(fx.owner, fx.orgId);
    const { body: locked } = await createProject(fx.owner, fx.orgId, { memberRole: "read" });
    for (const [user, project, role] of [
      [fx.member, open, "write"],
      [fx.member, locked, "read"],
      [fx.admin, locked, "write"],
      [fx.owner, locked, "write"],
    ] as const) {
      const res = await call("POST", `${base(project.id)}/room-token`, { token: user.accessToken });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ roomId: project.id, host: new URL(env.ROOMS_URL).host, role });
      const claims = RoomTokenClaimsSchema.parse(await verify(res.body.token));
      expect(claims).toMatchObject({ sub: user.id, room: project.id, role, name: user.name });
      expect(claims.exp - claims.iat).toBeLessThanOrEqual(ROOM_TOKEN_MAX_TTL_SECONDS);
      expect(res.body.expiresAt).toBe(claims.exp * 1000);
    }
  });

  it("are for logged-in sessions of org members only", async () => {
    const { body: project } = await createProject(fx.owner, fx.orgId);
    const apiToken = await call("POST", "/v1/me/tokens", {
      token: fx.owner.accessToken,
      body: { name: "ci", scopes: ["orgs:read", "orgs:write"] },
    });
    const withToken = await call("POST", `${base(project.id)}/room-token`, { token: apiToken.body.token });
    expect([withToken.status, errorCode(withToken)]).toEqual([403, "forbidden"]);
    expect((await call("POST", `${base(project.id)}/room-token`, { token: fx.outsider.accessToken })).status).toBe(404);
    expect((await call("POST", `${base(project.id)}/room-token`)).status).toBe(401);
  });
});

describe("snapshots", () => {
  it("are taken on demand from the live room, inspected as text, and restored into the room", async () => {
    const { body: project } = await createProject(fx.owner, fx.orgId);
    const live = documentWith("Hello", "world");
    const room = scriptedRoom(project.id, live);

    const taken = await call("POST", `${base(project.id)}/snapshots`, { token: fx.member.accessToken });
    expect(taken.status).toBe(201);
    expect(taken.body).toMatchObject({ projectId: project.id, reason: "manual", sizeBytes: room.state!.byteLength });
    expect(room.received.map((r) => r.action)).toEqual(["snapshot"]);

    const detail = await call("GET", `${base(project.id)}/snapshots/${taken.body.id}`, { token: fx.member.accessToken });
    expect(SnapshotDetail.parse(detail.body).content).toEqual({
      json: "<paragraph>Hello</paragraph><paragraph>world</paragraph>",
      text: "Hello\nworld",
    });

    room.state = documentWith("Something else");
    const restored = await call("POST", `${base(project.id)}/snapshots/${taken.body.id}/restore`, { token: fx.member.accessToken });
    expect(restored.status).toBe(200);
    expect(restored.body.snapshotId).toBe(taken.body.id);
    expect(room.received.at(-1)!.action).toBe("restore");
    expect(room.received.at(-1)!.body).toEqual(live);
    expect(room.refused).toBe(0);
  });

  it("fall back to the stored state when the room has none loaded, and answer 503 when rooms are unreachable", async () => {
    const { body: project } = await createProject(fx.owner, fx.orgId);
    const room = scriptedRoom(project.id, null);
    const first = await call("POST", `${base(project.id)}/snapshots`, { token: fx.owner.accessToken });
    expect(first.status).toBe(201);
    expect((await call("GET", `${base(project.id)}/snapshots/${first.body.id}`, { token: fx.owner.accessToken })).body.content).toEqual({
      json: "",
      text: "",
    });

    expect((await roomCall("POST", `/v1/rooms/${project.id}/snapshots`, documentWith("stored"))).status).toBe(201);
    const second = await call("POST", `${base(project.id)}/snapshots`, { token: fx.owner.accessToken });
    expect((await call("GET", `${base(project.id)}/snapshots/${second.body.id}`, { token: fx.owner.accessToken })).body.content.text).toBe(
      "stored",
    );

    room.down = true;
    for (const [method, path] of [
      ["POST", `${base(project.id)}/snapshots`],
      ["POST", `${base(project.id)}/snapshots/${second.body.id}/restore`],
    ] as const) {
      const res = await call(method, path, { token: fx.owner.accessToken });
      expect([res.status, errorCode(res)], path).toEqual([503, "rooms_unavailable"]);
    }
  });

  it("of another project are 404, and restoring needs the write role", async () => {
    const { body: a } = await createProject(fx.owner, fx.orgId, { memberRole: "read" });
    const { body: b } = await createProject(fx.owner, fx.orgId);
    scriptedRoom(a.id, documentWith("A"));
    scriptedRoom(b.id, documentWith("B"));
    const snapA = await call("POST", `${base(a.id)}/snapshots`, { token: fx.owner.accessToken });
    expect((await call("GET", `${base(b.id)}/snapshots/${snapA.body.id}`, { token: fx.owner.accessToken })).status).toBe(404);
    const cross = await call("POST", `${base(b.id)}/snapshots/${snapA.body.id}/restore`, { token: fx.owner.accessToken });
    expect([cross.status, errorCode(cross)]).toEqual([404, "not_found"]);
    expect((await call("POST", `${base(a.id)}/snapshots/${snapA.body.id}/restore`, { token: fx.member.accessToken })).status).toBe(403);
    expect((await call("GET", `${base(a.id)}/snapshots/${snapA.body.id}`, { token: fx.member.accessToken })).status).toBe(200);
  });

  it("list newest first with a keyset cursor that pages through every snapshot once", async () => {
    const { body: project } = await createProject(fx.owner, fx.orgId);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await roomCall("POST", `/v1/rooms/${project.id}/snapshots`, documentWith(`version ${i}`));
      ids.push((await res.json<{ id: string }>()).id);
    }
    // Two with the same timestamp: the id breaks the tie.
    await env.DB.prepare("UPDATE project_snapshots SET created_at = 1000 WHERE id IN (?, ?)").bind(ids[0], ids[1]).run();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: unknown } = await call(
        "GET",
        `${base(project.id)}/snapshots?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        { token: fx.member.accessToken },
      );
      const parsed = SnapshotList.parse(page.body);
      expect(parsed.snapshots.length).toBeLessThanOrEqual(2);
      seen.push(...parsed.snapshots.map((s) => s.id));
      cursor = parsed.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect(seen.slice(0, 3)).toEqual([ids[4], ids[3], ids[2]]);
    expect(seen.slice(3).sort()).toEqual([ids[0], ids[1]].sort());
    const bad = await call("GET", `${base(project.id)}/snapshots?cursor=%%%`, { token: fx.member.accessToken });
    expect(bad.status).toBe(400);
  });
});
