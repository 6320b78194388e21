/**
 * Access changes reach the rooms: a removed member, a member whose org role fell, and the plain
 * members of a project made read-only are disconnected from the rooms they recently joined
 * (through a scripted room at ROOMS_URL that records the signed requests).
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { addMember, createUser, orgFixture, type OrgFixture } from "../../test/fixtures";
import { call } from "../../test/http";
import { eventually } from "../../test/eventually";
import { createProject } from "../../test/rooms";
import { scriptedRoom, type ScriptedRoom } from "../../test/scripted-room";
import { createDb } from "../db/client";
import { disconnectFromRooms } from "./access-changes";

let fx: OrgFixture;
beforeEach(async () => {
  fx = await orgFixture();
});

let events = 0;
/** A room event as the room reports it, `agoMs` before now. */
const joined = (projectId: string, userId: string, agoMs = 0, type: "member_joined" | "member_left" = "member_joined") =>
  env.DB.prepare("INSERT INTO room_events (id, project_id, org_id, type, user_id, role, connection_id, at, received_at) VALUES (?, ?, ?, ?, ?, 'write', ?, ?, ?)")
    .bind(`rev_access${++events}`, projectId, fx.orgId, type, userId, `conn${events}`, Date.now() - agoMs, Date.now() - agoMs)
    .run();

const disconnected = (room: ScriptedRoom) => room.received.filter((r) => r.action === "disconnect").map((r) => JSON.parse(new TextDecoder().decode(r.body)).userIds as string[]);

describe("access changes reach the rooms", () => {
  it("a removed member is disconnected from the rooms they joined in the last token lifetimes, and only those", async () => {
    const [{ body: recent }, { body: old }, { body: untouched }] = await Promise.all([createProject(fx.owner, fx.orgId), createProject(fx.owner, fx.orgId), createProject(fx.owner, fx.orgId)]);
    const [recentRoom, oldRoom, untouchedRoom] = [scriptedRoom(recent.id), scriptedRoom(old.id), scriptedRoom(untouched.id)];
    await joined(recent.id, fx.member.id);
    await joined(old.id, fx.member.id, 60 * 60 * 1000);
    await joined(untouched.id, fx.admin.id);

    expect((await call("DELETE", `/v1/orgs/${fx.orgId}/members/${fx.member.id}`, { token: fx.admin.accessToken })).status).toBe(204);
    expect(await eventually(async () => (disconnected(recentRoom).length ? disconnected(recentRoom) : undefined), "the disconnect request")).toEqual([[fx.member.id]]);
    // The same work, awaited: once it is done, no request went to a room the member was not recently in.
    await disconnectFromRooms(env, createDb(env.DB), { orgId: fx.orgId, userIds: [fx.member.id] });
    expect([disconnected(recentRoom), disconnected(oldRoom), disconnected(untouchedRoom), recentRoom.refused]).toEqual([[[fx.member.id], [fx.member.id]], [], [], 0]);
  });

  it("an admin made a plain member is disconnected (their project roles may have fallen); a promotion is not", async () => {
    const { body: project } = await createProject(fx.owner, fx.orgId);
    const room = scriptedRoom(project.id);
    await joined(project.id, fx.admin.id);
    await joined(project.id, fx.member.id);
    expect((await call("PATCH", `/v1/orgs/${fx.orgId}/members/${fx.member.id}`, { token: fx.owner.accessToken, body: { role: "admin" } })).status).toBe(200);
    expect((await call("PATCH", `/v1/orgs/${fx.orgId}/members/${fx.admin.id}`, { token: fx.owner.accessToken, body: { role: "member" } })).status).toBe(200);
    expect(await eventually(async () => (disconnected(room).length ? disconnected(room) : undefined), "the disconnect request")).toEqual([[fx.admin.id]]);
  });

  it("a project made read-only for members disconnects its plain members only, and a room that is down changes nothing", async () => {
    const reader = await createUser("plain-reader");
    await addMember(fx.owner, fx.orgId, reader, "member");
    const { body: project } = await createProject(fx.owner, fx.orgId);
    const room = scriptedRoom(project.id);
    await Promise.all([joined(project.id, fx.admin.id), joined(project.id, fx.member.id), joined(project.id, reader.id)]);

    const changed = await call("PATCH", `/v1/orgs/${fx.orgId}/projects/${project.id}`, { token: fx.admin.accessToken, body: { memberRole: "read" } });
    expect([changed.status, changed.body.memberRole]).toEqual([200, "read"]);
    const users = await eventually(async () => disconnected(room)[0], "the disconnect request");
    expect(users.sort()).toEqual([fx.member.id, reader.id].sort());

    // With the rooms down the change still succeeds (the sockets then end at their tokens' expiry).
    room.down = true;
    expect((await call("PATCH", `/v1/orgs/${fx.orgId}/projects/${project.id}`, { token: fx.admin.accessToken, body: { memberRole: "write" } })).status).toBe(200);
    expect((await call("PATCH", `/v1/orgs/${fx.orgId}/projects/${project.id}`, { token: fx.admin.accessToken, body: { memberRole: "read" } })).status).toBe(200);
    await disconnectFromRooms(env, createDb(env.DB), { orgId: fx.orgId, projectId: project.id, plainMembers: true });
  });
});
