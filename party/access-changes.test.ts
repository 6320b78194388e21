// Every access change against the real Worker (`wrangler dev`) and rooms (`partykit dev`), wired both
// ways: stock y-partykit providers in Node hold room tokens minted by the API, and once someone's
// access changes their provider, reconnecting on its own with the same token, is refused (or
// admitted to read only) and nothing they type reaches the others, also after the rooms restart.
// A deleted project's room closes everyone with 4404 and refuses them from then on.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { eventually } from "../scripts/lib/eventually";
import { expectStatus, plazaApi } from "../scripts/lib/plaza-api";
import type { AuthTokensT, MeT, OrgT, SessionT } from "../shared/api";
import type { ProjectT } from "../shared/projects";
import { RoomCloseCode } from "../shared/room-protocol";
import { type PartykitDev, type PartykitDevOptions, startPartykitDev, startPlazaWithRooms, type WranglerDev } from "./test/dev-server";
import { connectClient, type RoomClient } from "./test/room-clients";

const RUN = Date.now().toString(36);
const PASSWORD = "a long enough passphrase";
let worker: WranglerDev;
let rooms: PartykitDev;
let roomsOptions: PartykitDevOptions;
const persistTo = mkdtempSync(joinPath(tmpdir(), "plaza-access-changes-"));
const { api, signUpAndLogIn, joinOrg } = plazaApi(() => worker.url);
const clients: RoomClient[] = [];

interface Person {
  id: string;
  email: string;
  token: string;
}
let orgId: string;
let owner: Person;

let people = 0;
/** Signs someone up and brings them into the org as `role`. */
async function person(name: string, role: "admin" | "member"): Promise<Person> {
  const email = `${name}-${++people}-${RUN}@example.com`;
  const token = await signUpAndLogIn({ name, email, password: PASSWORD });
  await joinOrg(owner.token, orgId, { email, token }, role);
  const me = await api<MeT>("GET", "/v1/me", undefined, token);
  return { id: me.body.user.id, email, token };
}

/** Another session of the same person: a second login. */
async function login(who: Person): Promise<Person> {
  const res = await api<AuthTokensT>("POST", "/v1/auth/login", { email: who.email, password: PASSWORD });
  expectStatus(res, 200, `log ${who.email} in again`);
  return { ...who, token: res.body.accessToken };
}

async function project(memberRole: "write" | "read" = "write"): Promise<string> {
  const res = await api<ProjectT>("POST", `/v1/orgs/${orgId}/projects`, { name: `Access ${RUN}`, memberRole }, owner.token);
  expectStatus(res, 201, "create a project");
  return res.body.id;
}

/** A room token from the API: what a browser gets before it connects. */
async function roomToken(who: Person, projectId: string): Promise<string> {
  const res = await api<{ token: string }>("POST", `/v1/orgs/${orgId}/projects/${projectId}/room-token`, undefined, who.token);
  expectStatus(res, 200, "mint a room token");
  return res.body.token;
}

/** A stock provider (for `doc`, or a new document), left to reconnect on its own; `closes` records each close code. */
function stock(projectId: string, token: string, doc?: Y.Doc): RoomClient & { closes: number[] } {
  const client = connectClient(rooms.host, projectId, token, doc);
  const closes: number[] = [];
  client.provider.on("connection-close", (event: CloseEvent) => closes.push(event.code));
  clients.push(client);
  return Object.assign(client, { closes });
}
async function synced(projectId: string, who: Person) {
  const client = stock(projectId, await roomToken(who, projectId));
  await eventually(`${who.email} to sync`, () => client.provider.synced);
  return client;
}
const refusals = (closes: number[], code: number = RoomCloseCode.accessChanged) => closes.filter((c) => c === code).length;

/** `who` typed `marker` while shut out: it must reach nobody. A newcomer loads the room's document to check. */
async function reachesNobody(projectId: string, marker: string, others: RoomClient[]) {
  const newcomer = await synced(projectId, owner);
  for (const doc of [newcomer, ...others]) expect(doc.text.toString()).not.toContain(marker);
  newcomer.provider.destroy();
}

beforeAll(async () => {
  ({ api: worker, rooms, roomsOptions } = await startPlazaWithRooms({ roomsPersistTo: persistTo }));
  const email = `owner-${RUN}@example.com`;
  const token = await signUpAndLogIn({ name: "Owner", email, password: PASSWORD });
  const org = await api<OrgT>("POST", "/v1/orgs", { name: "Access changes", slug: `access-${RUN}` }, token);
  expectStatus(org, 201, "create the org");
  orgId = org.body.id;
  owner = { id: (await api<MeT>("GET", "/v1/me", undefined, token)).body.user.id, email, token };
});
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
});
afterAll(async () => {
  await Promise.all([rooms?.stop(), worker?.stop()]);
  rmSync(persistTo, { recursive: true, force: true });
});

/** Tokens refused before the restart, with what their documents held, checked again after it. */
const shutOut: { projectId: string; token: string; state: Uint8Array; marker: string; code: number }[] = [];

describe("a stock provider is shut out, its old token refused, its edits kept from everyone", () => {
  it.each([
    [
      "removed from the org",
      async (who: Person) =>
        expectStatus(await api("DELETE", `/v1/orgs/${orgId}/members/${who.id}`, undefined, owner.token), 204, "remove"),
    ],
    [
      "leaving the org",
      async (who: Person) => expectStatus(await api("DELETE", `/v1/orgs/${orgId}/members/${who.id}`, undefined, who.token), 204, "leave"),
    ],
    ["logging out", async (who: Person) => expectStatus(await api("POST", "/v1/auth/logout", undefined, who.token), 204, "log out")],
    [
      "whose session is revoked from another device",
      async (who: Person) => {
        const other = await login(who);
        const sessions = await api<{ data: SessionT[] }>("GET", "/v1/me/sessions", undefined, who.token);
        const current = sessions.body.data.find((s) => s.current)!.id;
        expectStatus(await api("DELETE", `/v1/me/sessions/${current}`, undefined, other.token), 204, "revoke the session");
      },
    ],
    [
      "whose session ends with a password change on another device",
      async (who: Person) =>
        expectStatus(
          await api("PUT", "/v1/me/password", { currentPassword: PASSWORD, newPassword: `${PASSWORD} changed` }, (await login(who)).token),
          204,
          "change the password",
        ),
    ],
  ])("%s", async (what, change) => {
    const projectId = await project();
    const who = await person("shut-out", "member");
    const ada = await synced(projectId, owner);
    const token = await roomToken(who, projectId);
    const them = stock(projectId, token);
    await eventually("them to sync", () => them.provider.synced);
    them.text.insert(0, "hello; ");
    await eventually("ada to see their edit from before", () => ada.text.toString() === "hello; ");

    await change(who);
    await eventually(`their socket to close (${what})`, () => refusals(them.closes) >= 1);
    const marker = `LEAK-${people}`;
    them.text.insert(them.text.length, marker);
    await eventually("their provider to be refused again and again with the same token", () => refusals(them.closes) >= 3);
    expect(them.provider.synced).toBe(false);
    await reachesNobody(projectId, marker, [ada]);
    shutOut.push({ projectId, token, state: Y.encodeStateAsUpdate(them.doc), marker, code: RoomCloseCode.accessChanged });
  });
});

describe("a stock provider whose role fell is admitted again to read only", () => {
  it.each([
    [
      "an admin made a plain member of a read-only project",
      "read" as const,
      async (who: Person) =>
        expectStatus(await api("PATCH", `/v1/orgs/${orgId}/members/${who.id}`, { role: "member" }, owner.token), 200, "demote"),
    ],
    [
      "a member of a project made read-only",
      "write" as const,
      async (_who: Person, projectId: string) =>
        expectStatus(
          await api("PATCH", `/v1/orgs/${orgId}/projects/${projectId}`, { memberRole: "read" }, owner.token),
          200,
          "make read-only",
        ),
    ],
  ])("%s", async (_what, memberRole, change) => {
    const projectId = await project(memberRole);
    const who = await person(`fell-${memberRole}`, memberRole === "read" ? "admin" : "member");
    const ada = await synced(projectId, owner);
    const them = stock(projectId, await roomToken(who, projectId));
    await eventually("them to sync", () => them.provider.synced);
    them.text.insert(0, "written; ");
    await eventually("ada to see their edit from before", () => ada.text.toString() === "written; ");

    await change(who, projectId);
    await eventually("their socket to close with 4003", () => refusals(them.closes) >= 1);
    await eventually("their provider to be admitted again, with the same token", () => them.provider.synced);
    them.text.insert(them.text.length, "DROPPED");
    // Awareness travels after the edit on the same socket: once ada sees it, the room has dropped the edit.
    them.provider.awareness.setLocalStateField("marker", "after-edit");
    await eventually("ada to see their marker", () => ada.provider.awareness.getStates().get(them.doc.clientID)?.marker === "after-edit");
    expect(ada.text.toString()).toBe("written; ");
    await reachesNobody(projectId, "DROPPED", [ada]);
  });
});

describe("a deleted project", () => {
  it("closes everyone in its room with 4404 and refuses their providers from then on", async () => {
    const projectId = await project();
    const ada = await synced(projectId, owner);
    const token = await roomToken(await person("deleted-project", "member"), projectId);
    const them = stock(projectId, token);
    ada.text.insert(0, "soon gone");
    await eventually("both to share the text", () => them.text.toString() === "soon gone");
    expectStatus(await api("DELETE", `/v1/orgs/${orgId}/projects/${projectId}`, undefined, owner.token), 204, "delete the project");
    for (const client of [ada, them])
      await eventually(
        "each socket to close with 4404, and its reconnects too",
        () => refusals(client.closes, RoomCloseCode.projectNotFound) >= 2,
      );
    shutOut.push({ projectId, token, state: Y.encodeStateAsUpdate(them.doc), marker: "soon gone", code: RoomCloseCode.projectNotFound });
  });
});

describe("after the rooms restart", () => {
  // Last in the file: it restarts the rooms on the same port and storage.
  it("still refuses every old token: the refusals come from the Worker's state, not the room's memory", async () => {
    expect(shutOut.length).toBe(6);
    await rooms.stop();
    rooms = await startPartykitDev(roomsOptions);
    // Node's WebSocket never reports a refused handshake as closed, so providers that tried while the
    // rooms were down would wait forever: the same documents get stock providers again, same tokens.
    const again = shutOut.map((s) => {
      const doc = new Y.Doc();
      Y.applyUpdate(doc, s.state);
      return { ...s, client: stock(s.projectId, s.token, doc) };
    });
    for (const { client, code } of again)
      await eventually("the old token to be refused after the restart", () => refusals(client.closes, code) >= 2);
    for (const { projectId, marker, code } of again) if (code === RoomCloseCode.accessChanged) await reachesNobody(projectId, marker, []);
  });
});
