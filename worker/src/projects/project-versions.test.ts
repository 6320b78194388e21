/**
 * Project versions (issue #19): the version each change of name, memberRole, channel or state
 * moves on, the ETag that carries it, and a PATCH's If-Match against it (412 when stale).
 */
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { Project } from "../../../shared/projects";
import { type OrgFixture, orgFixture } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";
import { ownerAccess } from "../../test/project-fixtures";
import { createProject, rawCall } from "../../test/rooms";
import { backgroundContext } from "../context";
import { runtime } from "../modules";
import { updateProject } from "./service";
import { projects } from "./tables";

let fx: OrgFixture;
beforeAll(async () => {
  fx = await orgFixture();
});

const base = (projectId: string) => `/v1/orgs/${fx.orgId}/projects/${projectId}`;
const patch = (projectId: string, body: Record<string, unknown>, ifMatch?: string) =>
  call("PATCH", base(projectId), { token: fx.owner.accessToken, body, headers: ifMatch === undefined ? {} : { "if-match": ifMatch } });
const read = (projectId: string) => call("GET", base(projectId), { token: fx.owner.accessToken });
const updates = async (projectId: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM audit_events WHERE target_id = ? AND action = 'project.updated'")
    .bind(projectId)
    .first<number>("n")) ?? 0;

describe("project versions", () => {
  it("start at 1 and move on by one with each PATCH, as the ETag of GET and PATCH", async () => {
    const created = await createProject(fx.owner, fx.orgId, { name: "Versions" });
    expect(Project.parse(created.body).version).toBe(1);
    const id = created.body.id as string;
    const first = await read(id);
    expect([first.body.version, first.headers.get("etag")]).toEqual([1, '"1"']);

    const changes = [
      { name: "Renamed" },
      { memberRole: "read" },
      { channel: "beta" },
      { state: { theme: "dark" } },
      { name: "Two at once", state: {} },
    ];
    for (const [i, change] of changes.entries()) {
      const res = await patch(id, change);
      expect(res.status).toBe(200);
      expect([res.body.version, res.headers.get("etag")]).toEqual([i + 2, `"${i + 2}"`]);
    }
    const now = await read(id);
    expect([now.body.version, now.headers.get("etag")]).toEqual([6, '"6"']);
    const list = await call("GET", `/v1/orgs/${fx.orgId}/projects`, { token: fx.owner.accessToken });
    expect(list.body.projects.find((p: { id: string }) => p.id === id)?.version).toBe(6);

    // Assets have their own rows: uploading one is no change of the project's fields.
    const asset = await rawCall(
      "PUT",
      `${base(id)}/assets/notes.txt`,
      fx.owner.accessToken,
      new TextEncoder().encode("hello"),
      "text/plain",
    );
    expect(asset.status).toBe(200);
    expect((await read(id)).body.version).toBe(6);
  });

  it("apply a PATCH whose If-Match names the current version (or is *), and refuse a stale one with 412, changing nothing", async () => {
    const id = (await createProject(fx.owner, fx.orgId, { name: "Guarded" })).body.id as string;
    const current = await patch(id, { name: "Guarded 2" }, '"1"');
    expect([current.status, current.body.name, current.headers.get("etag")]).toEqual([200, "Guarded 2", '"2"']);
    expect(await updates(id)).toBe(1);

    const stale = await patch(id, { name: "From an old copy", state: { lost: true } }, '"1"');
    expect([stale.status, errorCode(stale)]).toEqual([412, "precondition_failed"]);
    // The answer names the version now, so the client knows what to read and merge against.
    expect(stale.headers.get("etag")).toBe('"2"');
    const after = await read(id);
    expect(after.body).toMatchObject({ name: "Guarded 2", state: {}, version: 2 });
    expect(await updates(id)).toBe(1);

    // A list naming the current version matches; a weak tag or one that is no version never does.
    expect((await patch(id, { name: "Listed" }, '"1", "2"')).status).toBe(200);
    for (const tag of ['W/"3"', '"three"', '"03"']) {
      const res = await patch(id, { name: "Never" }, tag);
      expect([res.status, errorCode(res)], tag).toEqual([412, "precondition_failed"]);
    }
    const any = await patch(id, { channel: "beta" }, "*");
    expect([any.status, any.body.version]).toEqual([200, 4]);
    expect(await updates(id)).toBe(3);
  });

  it("answer a malformed If-Match with 400 invalid_request on the header, changing nothing", async () => {
    const id = (await createProject(fx.owner, fx.orgId, { name: "Malformed" })).body.id as string;
    for (const value of ["1", '"1', '*, "1"', "W/1", '"1" "2"']) {
      const res = await patch(id, { name: "Never" }, value);
      expect([res.status, errorCode(res)], value).toEqual([400, "invalid_request"]);
      expect(Object.keys(res.body.error.fields), value).toEqual(["header.if-match"]);
    }
    expect((await read(id)).body).toMatchObject({ name: "Malformed", version: 1 });
  });

  it("let only one of two concurrent PATCHes with the same If-Match win", async () => {
    const id = (await createProject(fx.owner, fx.orgId, { name: "Race" })).body.id as string;
    const answers = await Promise.all([patch(id, { name: "Ada's" }, '"1"'), patch(id, { name: "Grace's" }, '"1"')]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 412]);
    const winner = answers.find((a) => a.status === 200)!;
    expect((await read(id)).body).toMatchObject({ name: winner.body.name, version: 2 });
    expect(await updates(id)).toBe(1);
  });

  it("check the version in the UPDATE itself: a PATCH read at the version another one just moved on is 412", async () => {
    const id = (await createProject(fx.owner, fx.orgId, { name: "Between" })).body.id as string;
    const ctx = backgroundContext(env, { requestId: "version-race", handlers: runtime.events });
    // What this PATCH's route loaded (version 1) before the other PATCH landed.
    const project = (await ctx.db.select().from(projects).where(eq(projects.id, id)))[0]!;
    const access = ownerAccess(fx, project);
    expect((await patch(id, { name: "The other one" }, '"1"')).status).toBe(200);

    const late = updateProject(ctx, { access, input: { name: "Late" }, ifMatch: '"1"' });
    await expect(late).rejects.toMatchObject({ code: "precondition_failed", status: 412 });
    expect((await read(id)).body).toMatchObject({ name: "The other one", version: 2 });
    expect(await updates(id)).toBe(1);
  });

  it("are documented in the OpenAPI spec: If-Match and 412 on PATCH, the ETag of GET and PATCH", async () => {
    const spec = (await call("GET", "/openapi.json")).body;
    const operations = spec.paths["/v1/orgs/{orgId}/projects/{projectId}"];
    expect(operations.patch.parameters).toContainEqual(expect.objectContaining({ in: "header", name: "if-match", required: false }));
    expect(Object.keys(operations.patch.responses)).toContain("412");
    for (const [method, status] of [
      ["get", "200"],
      ["patch", "200"],
      ["patch", "412"],
    ] as const)
      expect(Object.keys(operations[method].responses[status].headers ?? {}), `${method} ${status}`).toEqual(["etag"]);
  });
});
