import { env, exports } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { testContext } from "../../test/context";
import { eventually } from "../../test/eventually";
import { addMember, createOrg, createUser, type TestUser } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";
import { notificationsOf, seedNotification } from "../../test/notification-fixtures";
import type { Statement } from "../context";
import { notificationStatements } from ".";

type Batch = [Statement, ...Statement[]];

const worker = (exports as unknown as { default: Fetcher }).default;

const mailsTo = async (to: string) =>
  (await env.DB.prepare('SELECT id, subject FROM mail_messages WHERE "to" = ?').bind(to).all<{ id: string; subject: string }>()).results;

const setChannel = (user: TestUser, preferences: Record<string, string | undefined>) =>
  call("PUT", "/v1/me/notification-preferences", { token: user.accessToken, body: { preferences } });

describe("notificationStatements", () => {
  let owner: TestUser;
  let admin: TestUser;
  let member: TestUser;
  let orgId: string;
  beforeAll(async () => {
    [owner, admin, member] = await Promise.all([createUser("n-owner"), createUser("n-admin"), createUser("n-member")]);
    orgId = (await createOrg(owner)).id;
    await addMember(owner, orgId, admin, "admin");
    await addMember(owner, orgId, member, "member");
  });

  const notify = (cause: string, type: "sale" | "dispute_opened" = "sale") =>
    notificationStatements(testContext(), {
      type,
      recipients: { orgId, minRole: "admin" },
      title: "A sale",
      body: "Someone bought Widget.",
      link: "/dashboard/earnings",
      orgId,
      cause,
    });

  it("goes to the org's admins and owners, each by their preference, and a replay adds none", async () => {
    await setChannel(owner, { sale: "email" });
    await setChannel(admin, { sale: "both" });
    const ctx = testContext();
    for (let i = 0; i < 2; i++) {
      const { statements, mailIds } = await notify("order_replayed");
      await ctx.db.batch(statements as Batch);
      expect(mailIds).toHaveLength(2);
    }
    expect(await notificationsOf(owner.id, "sale")).toHaveLength(0);
    expect(await notificationsOf(admin.id, "sale")).toMatchObject([{ title: "A sale", link: "/dashboard/earnings", org_id: orgId }]);
    expect(await notificationsOf(member.id, "sale")).toHaveLength(0);
    expect((await mailsTo(owner.email)).filter((m) => m.subject === "A sale")).toHaveLength(1);
    expect((await mailsTo(admin.email)).filter((m) => m.subject === "A sale")).toHaveLength(1);
  });

  it("writes nothing for 'none', and in-app only by default", async () => {
    await setChannel(owner, { sale: "none" });
    await setChannel(admin, { sale: "in_app" });
    const { statements, mailIds } = await notify("order_quiet");
    expect(mailIds).toEqual([]);
    expect(statements).toHaveLength(1);
  });

  it("uses the e-mail that existed before for types that were e-mailed (both by default)", async () => {
    const { mailIds, statements } = await notify("dispute_default", "dispute_opened");
    expect(mailIds).toHaveLength(2);
    expect(statements).toHaveLength(4);
  });

  it("commits with its batch: a failing statement after it leaves no notification", async () => {
    await setChannel(admin, { sale: "both" });
    const ctx = testContext();
    const [notes, mails] = [(await notificationsOf(admin.id)).length, (await mailsTo(admin.email)).length];
    const { statements, mailIds } = await notify("order_failed");
    expect(mailIds).toHaveLength(1);
    await expect(
      ctx.db.batch([ctx.db.run(sql`SELECT 1`), ...statements, ctx.db.run(sql`INSERT INTO no_such_table VALUES (1)`)]),
    ).rejects.toThrow();
    expect(await notificationsOf(admin.id)).toHaveLength(notes);
    expect(await mailsTo(admin.email)).toHaveLength(mails);
  });
});

describe("notificationStatements with a condition", () => {
  it("writes neither row nor mail when the condition fails as the batch runs (a cause that was refused)", async () => {
    const user = await createUser("n-conditional");
    await setChannel(user, { review: "both" });
    const ctx = testContext();
    const notice = (cause: string, holds: boolean) =>
      notificationStatements(ctx, {
        type: "review",
        recipients: { userIds: [user.id] },
        title: "A new review",
        body: "5 stars",
        link: null,
        orgId: null,
        cause,
        onlyIf: holds ? sql`1` : sql`0`,
      });
    for (const holds of [false, true]) await ctx.db.batch((await notice(`review_${holds}`, holds)).statements as Batch);
    expect(await notificationsOf(user.id, "review")).toHaveLength(1);
    expect((await mailsTo(user.email)).filter((m) => m.subject === "A new review")).toHaveLength(1);
  });
});

describe("the notification routes", () => {
  let user: TestUser;
  let other: TestUser;
  beforeAll(async () => {
    [user, other] = await Promise.all([createUser("reader"), createUser("other-reader")]);
  });

  it("list the user's own notifications newest first, in pages, with the unread count", async () => {
    const base = Date.now();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await seedNotification(user.id, { createdAt: base + i, title: `n${i}` }));
    await seedNotification(other.id);
    const first = await call("GET", "/v1/me/notifications?limit=3", { token: user.accessToken });
    expect(first.status).toBe(200);
    expect(first.body.data.map((n: { title: string }) => n.title)).toEqual(["n4", "n3", "n2"]);
    expect(first.body.unreadCount).toBe(5);
    const second = await call("GET", `/v1/me/notifications?limit=3&cursor=${first.body.nextCursor}`, { token: user.accessToken });
    expect(second.body.data.map((n: { title: string }) => n.title)).toEqual(["n1", "n0"]);
    expect(second.body.nextCursor).toBeNull();

    const read = await call("POST", `/v1/me/notifications/${ids[4]}/read`, { token: user.accessToken });
    expect([read.status, typeof read.body.readAt]).toEqual([200, "number"]);
    const unread = await call("GET", "/v1/me/notifications?unread=true", { token: user.accessToken });
    expect(unread.body.data.map((n: { title: string }) => n.title)).toEqual(["n3", "n2", "n1", "n0"]);
    expect(unread.body.unreadCount).toBe(4);

    const bad = await call("GET", "/v1/me/notifications?cursor=nope", { token: user.accessToken });
    expect([bad.status, errorCode(bad)]).toEqual([400, "invalid_request"]);
  });

  it("mark only the user's own read: someone else's is not found, read-all leaves theirs", async () => {
    const theirs = await seedNotification(other.id);
    const res = await call("POST", `/v1/me/notifications/${theirs}/read`, { token: user.accessToken });
    expect([res.status, errorCode(res)]).toEqual([404, "not_found"]);
    expect((await call("POST", "/v1/me/notifications/read-all", { token: user.accessToken })).status).toBe(204);
    expect((await call("GET", "/v1/me/notifications", { token: user.accessToken })).body.unreadCount).toBe(0);
    expect((await call("GET", "/v1/me/notifications", { token: other.accessToken })).body.unreadCount).toBe(2);
  });

  it("answer every type's channel, change only the given ones, refuse unknown types and channels", async () => {
    const fresh = await createUser("prefs");
    const defaults = await call("GET", "/v1/me/notification-preferences", { token: fresh.accessToken });
    expect(defaults.body.preferences).toMatchObject({ sale: "in_app", dispute_opened: "both", webhook_endpoint_disabled: "both" });
    expect(Object.keys(defaults.body.preferences)).toHaveLength(11);
    const changed = await setChannel(fresh, { sale: "none", review: "email" });
    expect(changed.body.preferences).toMatchObject({ sale: "none", review: "email", refund: "in_app" });
    for (const preferences of [{ sale: "sms" }, { lottery: "both" }]) {
      const bad = await setChannel(fresh, preferences);
      expect([bad.status, errorCode(bad)]).toEqual([400, "invalid_request"]);
    }
  });
});

/** An open event stream, read event by event. */
function openStream(user: TestUser, lastEventId?: string) {
  const controller = new AbortController();
  const headers: Record<string, string> = { authorization: `Bearer ${user.accessToken}` };
  if (lastEventId) headers["last-event-id"] = lastEventId;
  const response = worker.fetch("http://plaza.test/v1/me/notifications/stream", { headers, signal: controller.signal });
  const events: { event?: string; id?: string; data?: string }[] = [];
  let buffer = "";
  const reading = response.then(async (res) => {
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) return;
      buffer += value;
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const fields = Object.fromEntries(
          buffer
            .slice(0, end)
            .split("\n")
            .filter((line) => !line.startsWith(":"))
            .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)]),
        );
        if (fields.event) events.push(fields);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
      }
    }
  });
  return {
    events,
    next: (event: string, after = 0) =>
      eventually(async () => events.slice(after).find((e) => e.event === event), `a "${event}" event`, 20_000),
    close: async () => {
      controller.abort();
      await reading.catch(() => undefined);
    },
  };
}

describe("the notification stream", () => {
  it("sends the unread count, then a notification created after it opened; Last-Event-ID resumes after it", async () => {
    const user = await createUser("streamer");
    await seedNotification(user.id, { createdAt: Date.now() - 1000, title: "old" });
    const stream = openStream(user);
    expect(JSON.parse((await stream.next("unread")).data!)).toEqual({ unreadCount: 1 });
    const firstId = await seedNotification(user.id, { title: "first" });
    const first = await stream.next("notification");
    expect([first.id, JSON.parse(first.data!).title]).toEqual([firstId, "first"]);
    expect(JSON.parse((await stream.next("unread", stream.events.indexOf(first))).data!)).toEqual({ unreadCount: 2 });
    expect(stream.events.filter((e) => e.event === "notification")).toHaveLength(1);
    await stream.close();

    const secondId = await seedNotification(user.id, { title: "second" });
    const resumed = openStream(user, firstId);
    const missed = await resumed.next("notification");
    expect([missed.id, JSON.parse(missed.data!).title]).toEqual([secondId, "second"]);
    await resumed.close();
  });

  it("ends with `retry:` so the client reconnects: at once when it does not follow", async () => {
    const user = await createUser("catch-up");
    const missed = await seedNotification(user.id, { title: "missed" });
    const before = await seedNotification(user.id, { createdAt: Date.now() - 1000, title: "before" });
    const res = await call<string>("GET", "/v1/me/notifications/stream?follow=false", {
      token: user.accessToken,
      headers: { "last-event-id": before },
    });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    expect(res.body).toMatch(/^event: unread\ndata: \{"unreadCount":2\}\nretry: 1000\n\n/);
    expect(res.body).toContain(`event: notification\ndata: {"id":"${missed}"`);
    expect(res.body.endsWith("retry: 1000\n\n")).toBe(true);
    // The count comes again after the row, though unchanged: a client that counted the row it was
    // sent on top of the first count (2 + 1) is set back to 2 (it once stayed at 3).
    const events = [...res.body.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(events).toEqual(["unread", "notification", "unread"]);
  });
});

describe("an invite", () => {
  it("tells an existing account in-app, in the invite's batch; an address without one gets only the invite mail", async () => {
    const [owner, invitee] = await Promise.all([createUser("inviter"), createUser("invitee")]);
    const org = await createOrg(owner);
    const invite = (email: string) =>
      call("POST", `/v1/orgs/${org.id}/invites`, { token: owner.accessToken, body: { email, role: "admin" } });
    expect((await invite(invitee.email)).status).toBe(201);
    const [notice] = await notificationsOf(invitee.id, "invite");
    expect(notice).toMatchObject({ title: `You're invited to Org ${org.slug}`, org_id: org.id });
    expect(notice!.body).toContain("as admin");
    // Its e-mail is the invite's own link mail, whatever the preference.
    await setChannel(invitee, { invite: "both" });
    expect((await invite(invitee.email)).status).toBe(201);
    expect(await notificationsOf(invitee.id, "invite")).toHaveLength(2);
    expect((await mailsTo(invitee.email)).filter((m) => m.subject.startsWith("You're invited"))).toHaveLength(2);
    expect((await invite("nobody-yet@example.test")).status).toBe(201);
  });
});
