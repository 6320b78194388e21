/**
 * Access changes reach the rooms at once: by the time the change is answered, every room the user
 * (or the ended session) was admitted to got a signed `disconnect`, and a deleted project's room a
 * `teardown`, owed until it confirms (scripted rooms at ROOMS_URL record what they receive).
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { addMember, createUser, type OrgFixture, orgFixture, PASSWORD, type TestUser } from "../../test/fixtures";
import { call } from "../../test/http";
import { runJobs } from "../../test/jobs";
import { askAdmission, createProject, roomTokenFor } from "../../test/rooms";
import { type ScriptedRoom, scriptedRoom } from "../../test/scripted-room";

let fx: OrgFixture;
beforeEach(async () => {
  fx = await orgFixture();
});

/** `user` joins the project's room: a token through the API, admitted as the room would ask. */
async function admit(user: TestUser, projectId: string, options: { expired?: boolean } = {}) {
  const { claims } = await roomTokenFor(user, fx.orgId, projectId);
  const res = await askAdmission(options.expired ? { ...claims, exp: Math.floor(Date.now() / 1000) - 1 } : claims);
  expect(res.status).toBe(200);
  return claims;
}

const disconnects = (room: ScriptedRoom) =>
  room.received
    .filter((r) => r.action === "disconnect")
    .map((r) => JSON.parse(new TextDecoder().decode(r.body)) as { userIds: string[]; sessionIds: string[] });
const owed = (projectId: string) =>
  env.DB.prepare("SELECT attempts, last_error FROM room_teardowns WHERE project_id = ?")
    .bind(projectId)
    .first<{ attempts: number; last_error: string | null }>();

async function secondSession(user: TestUser): Promise<TestUser> {
  const login = await call("POST", "/v1/auth/login", { body: { email: user.email, password: PASSWORD } });
  expect(login.status).toBe(200);
  return { ...user, accessToken: login.body.accessToken, refreshToken: login.body.refreshToken };
}

describe("org and project changes", () => {
  it("a removed member is disconnected from the rooms they are admitted to, and only those, before the removal is answered", async () => {
    const [{ body: current }, { body: expired }, { body: untouched }] = await Promise.all([
      createProject(fx.owner, fx.orgId),
      createProject(fx.owner, fx.orgId),
      createProject(fx.owner, fx.orgId),
    ]);
    const [currentRoom, expiredRoom, untouchedRoom] = [scriptedRoom(current.id), scriptedRoom(expired.id), scriptedRoom(untouched.id)];
    await admit(fx.member, current.id);
    await admit(fx.member, expired.id, { expired: true });
    await admit(fx.admin, untouched.id);

    expect((await call("DELETE", `/v1/orgs/${fx.orgId}/members/${fx.member.id}`, { token: fx.admin.accessToken })).status).toBe(204);
    expect([disconnects(currentRoom), disconnects(expiredRoom), disconnects(untouchedRoom), currentRoom.refused]).toEqual([
      [{ userIds: [fx.member.id], sessionIds: [] }],
      [],
      [],
      0,
    ]);
  });

  it("an admin made a plain member is disconnected (their project roles may have fallen); a promotion is not", async () => {
    const { body: project } = await createProject(fx.owner, fx.orgId);
    const room = scriptedRoom(project.id);
    await admit(fx.admin, project.id);
    await admit(fx.member, project.id);
    expect(
      (await call("PATCH", `/v1/orgs/${fx.orgId}/members/${fx.member.id}`, { token: fx.owner.accessToken, body: { role: "admin" } }))
        .status,
    ).toBe(200);
    expect(
      (await call("PATCH", `/v1/orgs/${fx.orgId}/members/${fx.admin.id}`, { token: fx.owner.accessToken, body: { role: "member" } }))
        .status,
    ).toBe(200);
    expect(disconnects(room)).toEqual([{ userIds: [fx.admin.id], sessionIds: [] }]);
  });

  it("a project made read-only disconnects the plain members admitted to write, and a room that is down changes nothing", async () => {
    const reader = await createUser("plain-reader");
    await addMember(fx.owner, fx.orgId, reader, "member");
    const { body: project } = await createProject(fx.owner, fx.orgId);
    const room = scriptedRoom(project.id);
    await Promise.all([admit(fx.admin, project.id), admit(fx.member, project.id), admit(reader, project.id)]);

    const changed = await call("PATCH", `/v1/orgs/${fx.orgId}/projects/${project.id}`, {
      token: fx.admin.accessToken,
      body: { memberRole: "read" },
    });
    expect([changed.status, changed.body.memberRole]).toEqual([200, "read"]);
    expect(disconnects(room).map((d) => d.userIds.sort())).toEqual([[fx.member.id, reader.id].sort()]);

    // With the room down the change still succeeds; the reconnects it missed are refused by admission.
    room.down = true;
    expect(
      (await call("PATCH", `/v1/orgs/${fx.orgId}/projects/${project.id}`, { token: fx.admin.accessToken, body: { memberRole: "write" } }))
        .status,
    ).toBe(200);
    await admit(fx.member, project.id);
    expect(
      (await call("PATCH", `/v1/orgs/${fx.orgId}/projects/${project.id}`, { token: fx.admin.accessToken, body: { memberRole: "read" } }))
        .status,
    ).toBe(200);
  });
});

describe("sessions that end", () => {
  it("logout and a revoked session disconnect that session's sockets only; a password change every other session's", async () => {
    const user = await createUser("rooms-sessions");
    await addMember(fx.owner, fx.orgId, user, "member");
    const [{ body: a }, { body: b }] = await Promise.all([createProject(fx.owner, fx.orgId), createProject(fx.owner, fx.orgId)]);
    const [roomA, roomB] = [scriptedRoom(a.id), scriptedRoom(b.id)];
    const [s1, s2, s3, s4] = [user, await secondSession(user), await secondSession(user), await secondSession(user)];
    const [c1, c2, c3, c4] = [await admit(s1, a.id), await admit(s2, a.id), await admit(s3, b.id), await admit(s4, b.id)];
    await admit(s1, b.id);

    expect((await call("POST", "/v1/auth/logout", { token: s1.accessToken })).status).toBe(204);
    expect([disconnects(roomA), disconnects(roomB)]).toEqual([
      [{ userIds: [], sessionIds: [c1.sid] }],
      [{ userIds: [], sessionIds: [c1.sid] }],
    ]);

    expect((await call("DELETE", `/v1/me/sessions/${c2.sid}`, { token: s4.accessToken })).status).toBe(204);
    expect(disconnects(roomA).at(-1)).toEqual({ userIds: [], sessionIds: [c2.sid] });

    expect(
      (
        await call("PUT", "/v1/me/password", {
          token: s4.accessToken,
          body: { currentPassword: PASSWORD, newPassword: "another long passphrase" },
        })
      ).status,
    ).toBe(204);
    // Every session but s4 is named again in the rooms it was admitted to (s1's and s2's a second time, harmlessly).
    expect(disconnects(roomB).at(-1)?.sessionIds.sort()).toEqual([c1.sid, c3.sid].sort());
    expect(disconnects(roomB).flatMap((d) => d.sessionIds)).not.toContain(c4.sid);
  });

  it("a replayed refresh token revokes its session and disconnects its sockets", async () => {
    const { body: project } = await createProject(fx.owner, fx.orgId);
    const room = scriptedRoom(project.id);
    const claims = await admit(fx.member, project.id);
    expect((await call("POST", "/v1/auth/refresh", { body: { refreshToken: fx.member.refreshToken } })).status).toBe(200);
    expect((await call("POST", "/v1/auth/refresh", { body: { refreshToken: fx.member.refreshToken } })).status).toBe(401);
    expect(disconnects(room)).toEqual([{ userIds: [], sessionIds: [claims.sid] }]);
  });
});

describe("deleted projects", () => {
  it("have their room torn down before the deletion is answered, and nothing is left owed", async () => {
    const { body: project } = await createProject(fx.owner, fx.orgId);
    const room = scriptedRoom(project.id);
    expect((await call("DELETE", `/v1/orgs/${fx.orgId}/projects/${project.id}`, { token: fx.admin.accessToken })).status).toBe(204);
    expect(room.received.map((r) => r.action)).toEqual(["teardown"]);
    expect(await owed(project.id)).toBeNull();
  });

  it("whose room cannot be reached are still deleted, and maintenance asks again until the room confirms", async () => {
    const { body: project } = await createProject(fx.owner, fx.orgId);
    const room = scriptedRoom(project.id);
    room.down = true;
    expect((await call("DELETE", `/v1/orgs/${fx.orgId}/projects/${project.id}`, { token: fx.admin.accessToken })).status).toBe(204);
    expect((await call("GET", `/v1/orgs/${fx.orgId}/projects/${project.id}`, { token: fx.admin.accessToken })).status).toBe(404);
    expect(await owed(project.id)).toMatchObject({ attempts: 1 });

    // Still down at the next tick: one more attempt counted.
    expect((await runJobs(Date.now(), env))["retry-room-teardowns"]).toEqual({ status: "succeeded", processed: 0 });
    expect(await owed(project.id)).toMatchObject({ attempts: 2 });

    room.down = false;
    expect((await runJobs(Date.now() + 1, env))["retry-room-teardowns"]).toEqual({ status: "succeeded", processed: 1 });
    expect(room.received.map((r) => r.action)).toEqual(["teardown"]);
    expect(await owed(project.id)).toBeNull();
  });
});
