import { beforeAll, expect, it } from "vitest";
import { createUser, type OrgFixture, orgFixture, PASSWORD } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";

let fx: OrgFixture;
beforeAll(async () => {
  fx = await orgFixture();
});

const log = (query = "") => call("GET", `/v1/orgs/${fx.orgId}/audit-log${query}`, { token: fx.owner.accessToken });

it("records logins, role changes, tokens and invites of the org and its members", async () => {
  await call("PATCH", `/v1/orgs/${fx.orgId}/members/${fx.member.id}`, { token: fx.owner.accessToken, body: { role: "admin" } });
  await call("POST", "/v1/me/tokens", { token: fx.member.accessToken, body: { name: "ci", scopes: ["orgs:read"] } });
  await call("POST", "/v1/auth/login", { body: { email: fx.member.email, password: "definitely wrong" } });

  const actions = (await log("?limit=100")).body.data.map((e: { action: string }) => e.action);
  for (const action of [
    "org.created",
    "invite.created",
    "invite.accepted",
    "auth.login",
    "auth.login_failed",
    "member.role_changed",
    "token.created",
  ]) {
    expect(actions).toContain(action);
  }
  const change = (await log("?limit=100")).body.data.find((e: { action: string }) => e.action === "member.role_changed");
  expect(change).toMatchObject({
    actorUserId: fx.owner.id,
    actorEmail: fx.owner.email,
    targetId: fx.member.id,
    metadata: { from: "member", to: "admin" },
  });
});

it("never shows another org's events or non-members' logins", async () => {
  const stranger = await createUser("stranger");
  await call("POST", "/v1/auth/login", { body: { email: stranger.email, password: PASSWORD } });
  const events = (await log("?limit=100")).body.data as { actorUserId: string; targetId: string }[];
  expect(events.some((e) => e.actorUserId === stranger.id || e.actorUserId === fx.outsider.id)).toBe(false);
  expect(events.some((e) => e.targetId === fx.outsiderOrgId)).toBe(false);
});

it("pages newest first with a cursor, without gaps or repeats", async () => {
  const all = (await log("?limit=100")).body.data.map((e: { id: string }) => e.id);
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { body: { data: { id: string }[]; nextCursor: string | null } } = await log(
      `?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    seen.push(...page.body.data.map((e) => e.id));
    cursor = page.body.nextCursor;
  } while (cursor);
  expect(seen).toEqual(all);
  const bad = await log("?cursor=%%%");
  expect([bad.status, errorCode(bad)]).toEqual([400, "invalid_request"]);
});
