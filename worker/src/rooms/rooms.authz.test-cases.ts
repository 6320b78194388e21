import { type Expected, type MatrixCase, ORG_READ, succeedsWith } from "../../test/authz-matrix";
import { project, snapshot } from "../../test/project-fixtures";
import { documentWith } from "../../test/rooms";
import { scriptedRoom } from "../../test/scripted-room";

const SIGNED_ONLY: Expected = { anon: 401, outsider: 401, member: 401, admin: 401, owner: 401, operator: 401 };

export const roomsMatrix: MatrixCase[] = [
  // Room callbacks take no user credential: without the room signature every caller is refused.
  {
    route: "POST /v1/rooms/:roomId/snapshots",
    public: true,
    build: async (fx) => ({
      method: "POST",
      path: `/v1/rooms/${(await project(fx)).id}/snapshots`,
      options: { rawBody: "x", headers: { "content-type": "application/octet-stream" } },
    }),
    expected: SIGNED_ONLY,
  },
  {
    route: "GET /v1/rooms/:roomId/snapshots/latest",
    public: true,
    build: async (fx) => ({ method: "GET", path: `/v1/rooms/${(await project(fx)).id}/snapshots/latest` }),
    expected: SIGNED_ONLY,
  },
  {
    route: "POST /v1/rooms/:roomId/events",
    public: true,
    build: async (fx) => ({ method: "POST", path: `/v1/rooms/${(await project(fx)).id}/events`, options: { body: { events: [] } } }),
    expected: SIGNED_ONLY,
  },
  // Not even a member's own session admits itself: only the room may ask.
  {
    route: "POST /v1/rooms/:roomId/admissions",
    public: true,
    build: async (fx, _actor, user) => ({
      method: "POST",
      path: `/v1/rooms/${(await project(fx)).id}/admissions`,
      options: {
        body: {
          userId: user?.id ?? fx.member.id,
          sessionId: "ses_unsignedCaller0000",
          role: "write",
          connectionId: "conn",
          tokenExpiresAt: Date.now() + 60_000,
        },
      },
    }),
    expected: SIGNED_ONLY,
  },
  // The project routes that reach the live room.
  {
    route: "POST /v1/orgs/:orgId/projects/:projectId/snapshots",
    scope: "orgs:write",
    build: async (fx) => {
      const p = await project(fx);
      scriptedRoom(p.id, documentWith("live"));
      return { method: "POST", path: `${p.path}/snapshots` };
    },
    expected: succeedsWith(ORG_READ, 201),
  },
  {
    route: "POST /v1/orgs/:orgId/projects/:projectId/snapshots/:snapshotId/restore",
    scope: "orgs:write",
    build: async (fx) => {
      const s = await snapshot(fx);
      return { method: "POST", path: `${s.path}/snapshots/${s.snapshotId}/restore` };
    },
    expected: ORG_READ,
  },
  {
    route: "POST /v1/orgs/:orgId/projects/:projectId/room-token",
    sessionOnly: true,
    build: async (fx) => ({ method: "POST", path: `${(await project(fx)).path}/room-token` }),
    expected: ORG_READ,
  },
];
