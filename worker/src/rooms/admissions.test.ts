/**
 * The admissions callback a room makes on every connect: signed like the other callbacks, answered
 * from D1 as it is now (never from the token alone), recorded for access changes to find. Each
 * access change refuses a token minted before it, or admits it with the lower role.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { roomCallbackPaths } from "../../../shared/room-callbacks";
import { addMember, createUser, type OrgFixture, orgFixture, PASSWORD, type TestUser } from "../../test/fixtures";
import { call } from "../../test/http";
import { jobContext } from "../../test/jobs";
import { admissionOf, askAdmission, createProject, roomCall, roomTokenFor } from "../../test/rooms";
import { purgeExpiredAdmissions } from "./admissions";

let fx: OrgFixture;
beforeAll(async () => {
  fx = await orgFixture();
});

const answer = async (res: Response) => {
  const body = (await res.json()) as { role?: string; error?: { code: string } };
  return res.status === 200 ? { status: 200, role: body.role } : { status: res.status, code: body.error?.code };
};
const admitted = (role: "read" | "write") => ({ status: 200, role });
const refused = { status: 403, code: "forbidden" };
const gone = { status: 404, code: "not_found" };

/** A second session of `user`: a fresh login. */
async function secondSession(user: TestUser): Promise<TestUser> {
  const login = await call("POST", "/v1/auth/login", { body: { email: user.email, password: PASSWORD } });
  if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
  return { ...user, accessToken: login.body.accessToken, refreshToken: login.body.refreshToken };
}

describe("the callback", () => {
  it("refuses unsigned and wrongly signed requests (401), and bodies that are not a RoomAdmissionRequest (400)", async () => {
    const { body: project } = await createProject(fx.owner, fx.orgId);
    const { claims } = await roomTokenFor(fx.member, fx.orgId, project.id);
    const path = roomCallbackPaths.admissions(project.id);
    for (const options of [
      { unsigned: true },
      { secret: "a-different-secret-that-is-long-enough-0123" },
      { signedPath: roomCallbackPaths.admissions("prj_other") },
    ]) {
      expect(await answer(await roomCall("POST", path, admissionOf(claims), options)), JSON.stringify(options)).toEqual({
        status: 401,
        code: "invalid_signature",
      });
    }
    for (const body of [
      {},
      { ...admissionOf(claims), role: "admin" },
      { ...admissionOf(claims), sessionId: "tok_x" },
      { ...admissionOf(claims), connectionId: "" },
    ]) {
      expect(await answer(await roomCall("POST", path, body)), JSON.stringify(body)).toEqual({ status: 400, code: "invalid_request" });
    }
    const notJson = await roomCall("POST", path, new TextEncoder().encode("{"), { headers: { "content-type": "application/json" } });
    expect(notJson.status).toBe(400);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM room_admissions WHERE project_id = ?").bind(project.id).first("n")).toBe(0);
  });

  it("admits a member with the token's role and records the admission until the token expires", async () => {
    const { body: project } = await createProject(fx.owner, fx.orgId);
    const { claims } = await roomTokenFor(fx.member, fx.orgId, project.id);
    expect(await answer(await askAdmission(claims, "conn-recorded"))).toEqual(admitted("write"));
    const row = await env.DB.prepare(
      "SELECT org_id, user_id, session_id, role, expires_at FROM room_admissions WHERE connection_id = 'conn-recorded'",
    ).first();
    expect(row).toEqual({ org_id: fx.orgId, user_id: fx.member.id, session_id: claims.sid, role: "write", expires_at: claims.exp * 1000 });
  });

  it("role matrix: the lower of the token's role and the user's project role now", async () => {
    const [{ body: open }, { body: readOnly }] = await Promise.all([
      createProject(fx.owner, fx.orgId),
      createProject(fx.owner, fx.orgId, { memberRole: "read" }),
    ]);
    const cases = [];
    for (const [who, user] of [
      ["owner", fx.owner],
      ["admin", fx.admin],
      ["member", fx.member],
    ] as const) {
      for (const project of [open, readOnly]) {
        const { claims } = await roomTokenFor(user, fx.orgId, project.id);
        cases.push({
          who,
          memberRole: project.memberRole,
          token: claims.role,
          write: (await answer(await askAdmission(claims))).role,
          read: (await answer(await askAdmission({ ...claims, role: "read" }))).role,
        });
      }
    }
    expect(cases).toEqual([
      { who: "owner", memberRole: "write", token: "write", write: "write", read: "read" },
      { who: "owner", memberRole: "read", token: "write", write: "write", read: "read" },
      { who: "admin", memberRole: "write", token: "write", write: "write", read: "read" },
      { who: "admin", memberRole: "read", token: "write", write: "write", read: "read" },
      { who: "member", memberRole: "write", token: "write", write: "write", read: "read" },
      { who: "member", memberRole: "read", token: "read", write: "read", read: "read" },
    ]);
  });

  it("refuses an outsider, another user's session, an unknown session and an unknown room", async () => {
    const { body: project } = await createProject(fx.owner, fx.orgId);
    const { claims } = await roomTokenFor(fx.member, fx.orgId, project.id);
    const { claims: outsiders } = await roomTokenFor(
      fx.outsider,
      fx.outsiderOrgId,
      (await createProject(fx.outsider, fx.outsiderOrgId)).body.id,
    );
    expect(await answer(await askAdmission({ ...claims, sub: fx.outsider.id, sid: outsiders.sid }))).toEqual(refused);
    expect(await answer(await askAdmission({ ...claims, sid: outsiders.sid }))).toEqual(refused);
    expect(await answer(await askAdmission({ ...claims, sid: "ses_doesNotExist00000" }))).toEqual(refused);
    expect(await answer(await askAdmission({ ...claims, room: "prj_doesNotExist00000" }))).toEqual(gone);
  });
});

describe("after an access change, a token minted before it", () => {
  it("is refused once its holder is removed from the org, or left it", async () => {
    const [removed, leaving] = await Promise.all([createUser("removed"), createUser("leaving")]);
    await addMember(fx.owner, fx.orgId, removed, "member");
    await addMember(fx.owner, fx.orgId, leaving, "admin");
    const { body: project } = await createProject(fx.owner, fx.orgId);
    const [{ claims: a }, { claims: b }] = await Promise.all([
      roomTokenFor(removed, fx.orgId, project.id),
      roomTokenFor(leaving, fx.orgId, project.id),
    ]);
    expect((await call("DELETE", `/v1/orgs/${fx.orgId}/members/${removed.id}`, { token: fx.admin.accessToken })).status).toBe(204);
    expect((await call("DELETE", `/v1/orgs/${fx.orgId}/members/${leaving.id}`, { token: leaving.accessToken })).status).toBe(204);
    expect([await answer(await askAdmission(a)), await answer(await askAdmission(b))]).toEqual([refused, refused]);
  });

  it("admits only to read once an admin is made a plain member of a read-only project, or the project is made read-only", async () => {
    const demoted = await createUser("demoted");
    await addMember(fx.owner, fx.orgId, demoted, "admin");
    const [{ body: readOnly }, { body: open }] = await Promise.all([
      createProject(fx.owner, fx.orgId, { memberRole: "read" }),
      createProject(fx.owner, fx.orgId),
    ]);
    const { claims: admins } = await roomTokenFor(demoted, fx.orgId, readOnly.id);
    const { claims: members } = await roomTokenFor(fx.member, fx.orgId, open.id);
    expect([admins.role, members.role]).toEqual(["write", "write"]);

    expect(
      (await call("PATCH", `/v1/orgs/${fx.orgId}/members/${demoted.id}`, { token: fx.owner.accessToken, body: { role: "member" } })).status,
    ).toBe(200);
    expect(
      (await call("PATCH", `/v1/orgs/${fx.orgId}/projects/${open.id}`, { token: fx.admin.accessToken, body: { memberRole: "read" } }))
        .status,
    ).toBe(200);
    expect([await answer(await askAdmission(admins)), await answer(await askAdmission(members))]).toEqual([
      admitted("read"),
      admitted("read"),
    ]);
  });

  it("is refused once its session ends: logout, revoked on the Sessions page, ended by a password change elsewhere, or its refresh token replayed", async () => {
    const user = await createUser("sessions");
    await addMember(fx.owner, fx.orgId, user, "member");
    const { body: project } = await createProject(fx.owner, fx.orgId);
    const [loggingOut, revoked, kept, replayed] = [user, await secondSession(user), await secondSession(user), await secondSession(user)];
    const changedElsewhere = await secondSession(user);
    const claims = async (session: TestUser) => (await roomTokenFor(session, fx.orgId, project.id)).claims;
    const [c1, c2, c3, c4, c5] = await Promise.all([loggingOut, revoked, kept, replayed, changedElsewhere].map(claims));

    expect((await call("POST", "/v1/auth/logout", { token: loggingOut.accessToken })).status).toBe(204);
    expect((await call("DELETE", `/v1/me/sessions/${c2!.sid}`, { token: kept.accessToken })).status).toBe(204);
    const rotated = await call("POST", "/v1/auth/refresh", { body: { refreshToken: replayed.refreshToken } });
    expect(rotated.status).toBe(200);
    expect((await call("POST", "/v1/auth/refresh", { body: { refreshToken: replayed.refreshToken } })).status).toBe(401);
    expect([await answer(await askAdmission(c1!)), await answer(await askAdmission(c2!)), await answer(await askAdmission(c4!))]).toEqual([
      refused,
      refused,
      refused,
    ]);

    // A password change ends every session but the one that made it.
    expect(
      (
        await call("PUT", "/v1/me/password", {
          token: kept.accessToken,
          body: { currentPassword: PASSWORD, newPassword: "a brand new passphrase" },
        })
      ).status,
    ).toBe(204);
    expect([await answer(await askAdmission(c3!)), await answer(await askAdmission(c5!))]).toEqual([admitted("write"), refused]);
  });

  it("is refused for good (404) once the project is deleted", async () => {
    const { body: project } = await createProject(fx.owner, fx.orgId);
    const { claims } = await roomTokenFor(fx.member, fx.orgId, project.id);
    expect((await call("DELETE", `/v1/orgs/${fx.orgId}/projects/${project.id}`, { token: fx.admin.accessToken })).status).toBe(204);
    expect(await answer(await askAdmission(claims))).toEqual(gone);
  });

  it("is refused once its session expired", async () => {
    const user = await createUser("expiring");
    await addMember(fx.owner, fx.orgId, user, "member");
    const { body: project } = await createProject(fx.owner, fx.orgId);
    const { claims } = await roomTokenFor(user, fx.orgId, project.id);
    await env.DB.prepare("UPDATE sessions SET expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1, claims.sid)
      .run();
    expect(await answer(await askAdmission(claims))).toEqual(refused);
  });
});

it("maintenance purges admissions whose token expired, and keeps live ones", async () => {
  const { body: project } = await createProject(fx.owner, fx.orgId);
  const { claims } = await roomTokenFor(fx.member, fx.orgId, project.id);
  await askAdmission(claims, "conn-live");
  await askAdmission({ ...claims, exp: Math.floor(Date.now() / 1000) - 1 }, "conn-expired");
  await purgeExpiredAdmissions(jobContext(env, Date.now()));
  const left = await env.DB.prepare("SELECT connection_id FROM room_admissions WHERE connection_id IN ('conn-live', 'conn-expired')").all();
  expect(left.results).toEqual([{ connection_id: "conn-live" }]);
});
