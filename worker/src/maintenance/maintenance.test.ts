import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { createUser, lastMailTo } from "../../test/fixtures";
import { call } from "../../test/http";
import { JOBS, jobsDueAt, runJobs } from "../../test/jobs";
import { CREDENTIAL_RETENTION_MS } from "../auth";
import worker from "../index";

const count = async (sql: string, ...args: unknown[]) =>
  (await env.DB.prepare(sql)
    .bind(...args)
    .first<{ n: number }>())!.n;

it("purges sessions, invites and tokens that ended before the retention window, and keeps live ones", async () => {
  const user = await createUser("maint");
  const stale = await createUser("stale");
  const old = Date.now() - CREDENTIAL_RETENTION_MS - 1000;
  await env.DB.prepare("UPDATE sessions SET expires_at = ? WHERE user_id = ?").bind(old, stale.id).run();
  const token = await call("POST", "/v1/me/tokens", { token: user.accessToken, body: { name: "x", scopes: ["orgs:read"] } });
  await env.DB.prepare("UPDATE api_tokens SET revoked_at = ? WHERE id = ?").bind(old, token.body.id).run();

  const tick = Date.now();
  const result = await runJobs(tick, env);
  // Each domain purges its own: auth the sessions, tokens the API tokens.
  expect(result["purge-expired-credentials"]).toMatchObject({ status: "succeeded" });
  expect(result["purge-expired-credentials"]!.processed).toBeGreaterThanOrEqual(1);
  expect(result["purge-ended-api-tokens"]).toMatchObject({ status: "succeeded" });
  expect(result["purge-ended-api-tokens"]!.processed).toBeGreaterThanOrEqual(1);
  expect(await count("SELECT count(*) AS n FROM sessions WHERE user_id = ?", stale.id)).toBe(0);
  expect(
    await count("SELECT count(*) AS n FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id WHERE s.user_id = ?", stale.id),
  ).toBe(0);
  expect(await count("SELECT count(*) AS n FROM api_tokens WHERE id = ?", token.body.id)).toBe(0);
  expect(await count("SELECT count(*) AS n FROM sessions WHERE user_id = ?", user.id)).toBe(1);
  expect((await call("GET", "/v1/me", { token: user.accessToken })).status).toBe(200);

  // The same tick delivered again does nothing; each run is recorded.
  expect((await runJobs(tick, env))["purge-expired-credentials"]).toEqual({ status: "skipped", processed: 0 });
  expect(await count("SELECT count(*) AS n FROM job_runs WHERE scheduled_at = ? AND status = 'succeeded'", tick)).toBe(
    jobsDueAt(tick).length,
  );
});

it("runs a daily job (the analytics rebuild) on the first tick of a UTC day only", async () => {
  const today = Math.floor(Date.now() / 86_400_000) * 86_400_000;
  const jobs = { "analytics-backfill": JOBS["analytics-backfill"]!, "purge-expired-credentials": JOBS["purge-expired-credentials"]! };
  const later = await runJobs(today + 10 * 60_000, env, jobs);
  expect(later["analytics-backfill"]).toBeUndefined();
  expect(later["purge-expired-credentials"]).toMatchObject({ status: "succeeded" });
  expect((await runJobs(today, env, jobs))["analytics-backfill"]).toMatchObject({ status: "succeeded" });
});

it("bounds each run and records a failing job without stopping the others", async () => {
  let seen = 0;
  const result = await runJobs(Date.now() + 1, env, {
    broken: async () => {
      throw new Error("boom");
    },
    bounded: async ({ batchSize }) => (seen = batchSize),
  });
  expect(result).toEqual({ broken: { status: "failed", processed: 0 }, bounded: { status: "succeeded", processed: 500 } });
  expect(seen).toBe(500);
  expect(await count("SELECT count(*) AS n FROM job_runs WHERE job = 'broken' AND status = 'failed' AND error LIKE '%boom%'")).toBe(1);
});

it("the Worker's scheduled() handler runs the registry", async () => {
  const controller = createScheduledController({ scheduledTime: new Date(Date.now() + 10_000), cron: "*/5 * * * *" });
  const ctx = createExecutionContext();
  await worker.scheduled(controller, env, ctx);
  await waitOnExecutionContext(ctx);
  expect(await count("SELECT count(*) AS n FROM job_runs WHERE scheduled_at = ?", controller.scheduledTime)).toBe(
    jobsDueAt(controller.scheduledTime.valueOf()).length,
  );
});

it("purges upload sessions a day after they expired", async () => {
  const { insertItem } = await import("../../test/catalog-fixtures");
  const user = await createUser("uploader");
  const org = await call("POST", "/v1/orgs", { token: user.accessToken, body: { name: "U", slug: `u-${Date.now().toString(36)}` } });
  const item = await insertItem(org.body.id);
  const insert = (id: string, expiresAt: number) =>
    env.DB.prepare(
      "INSERT INTO uploads (id, org_id, item_id, version, channel, changelog, manifest, sha256, size, created_by, created_at, expires_at) VALUES (?, ?, ?, '1.0.0', 'stable', '', '{}', ?, 1, ?, 0, ?)",
    )
      .bind(id, org.body.id, item.id, "a".repeat(64), user.id, expiresAt)
      .run();
  await insert("upl_old00000000000000000", Date.now() - 2 * 86_400_000);
  await insert("upl_new00000000000000000", Date.now() - 1000);
  await runJobs(Date.now() + 20_000, env);
  expect(await count("SELECT count(*) AS n FROM uploads WHERE id = 'upl_old00000000000000000'")).toBe(0);
  expect(await count("SELECT count(*) AS n FROM uploads WHERE id = 'upl_new00000000000000000'")).toBe(1);
});

it("expires lapsed entitlements and takes the buyer's rating out of the aggregate, once", async () => {
  const { insertItem } = await import("../../test/catalog-fixtures");
  const author = await createUser("seller");
  const buyer = await createUser("lapsed");
  const org = await call("POST", "/v1/orgs", { token: author.accessToken, body: { name: "S", slug: `s-${Date.now().toString(36)}` } });
  const item = await insertItem(org.body.id);
  expect((await call("POST", `/v1/items/${item.slug}/get`, { token: buyer.accessToken })).status).toBe(201);
  expect((await call("POST", `/v1/items/${item.slug}/reviews`, { token: buyer.accessToken, body: { rating: 4 } })).status).toBe(201);
  await env.DB.prepare("UPDATE entitlements SET expires_at = ? WHERE user_id = ?")
    .bind(Date.now() - 1000, buyer.id)
    .run();

  const aggregate = () => env.DB.prepare("SELECT review_count AS c, rating_sum AS s FROM items WHERE id = ?").bind(item.id).first();
  expect(await aggregate()).toEqual({ c: 1, s: 4 });
  await runJobs(Date.now() + 30_000, env);
  await runJobs(Date.now() + 40_000, env);
  expect(await aggregate()).toEqual({ c: 0, s: 0 });
  expect(await env.DB.prepare("SELECT status FROM entitlements WHERE user_id = ?").bind(buyer.id).first("status")).toBe("expired");
});

it("warns 14 days before a canceled subscription's license expires, once per expiry, and nobody else", async () => {
  const { insertSubscription } = await import("../../test/payment-fixtures");
  const { insertLicense } = await import("../../test/license-fixtures");
  const author = await createUser("expiry-seller");
  const buyer = await createUser("expiry-buyer");
  const org = await call("POST", "/v1/orgs", { token: author.accessToken, body: { name: "E", slug: `e-${Date.now().toString(36)}` } });
  const now = Date.now();
  const DAY = 86_400_000;
  const licenseOn = async (expiresAt: number, cancelAtPeriodEnd: boolean) => {
    const subscriptionId = await insertSubscription(org.body.id, buyer.id);
    await env.DB.prepare("UPDATE subscriptions SET cancel_at_period_end = ? WHERE id = ?")
      .bind(cancelAtPeriodEnd ? 1 : 0, subscriptionId)
      .run();
    return insertLicense(org.body.id, buyer.id, { subscriptionId, orderId: null, expiresAt });
  };
  const ending = await licenseOn(now + 10 * DAY, true);
  await licenseOn(now + 10 * DAY, false); // renews: no warning
  await licenseOn(now + 20 * DAY, true); // too far off yet
  const warnings = () => count(`SELECT count(*) AS n FROM mail_messages WHERE "to" = ? AND subject LIKE '%license expires%'`, buyer.email);

  await runJobs(now + 50_000, env, { "warn-expiring-licenses": JOBS["warn-expiring-licenses"]! });
  await runJobs(now + 60_000, env, { "warn-expiring-licenses": JOBS["warn-expiring-licenses"]! });
  expect(await warnings()).toBe(1);
  const mail = await lastMailTo(buyer.email);
  expect(mail.subject).toBe(
    `Your ${ending.item.name} license expires on ${new Date(now + 10 * DAY).toLocaleDateString("en-US", { dateStyle: "long", timeZone: "UTC" })}`,
  );
  expect(mail.text).toContain("/dashboard/purchases");

  // Resumed and canceled again later: a new expiry, warned of anew.
  await env.DB.prepare("UPDATE licenses SET expires_at = ? WHERE id = ?")
    .bind(now + 12 * DAY, ending.id)
    .run();
  await runJobs(now + 70_000, env, { "warn-expiring-licenses": JOBS["warn-expiring-licenses"]! });
  expect(await warnings()).toBe(2);
});

it("deletes sent mail 30 days after it went out, and keeps newer, queued and failed mail", async () => {
  const user = await createUser("old-mail");
  const now = Date.now();
  const DAY = 86_400_000;
  const insert = (id: string, status: string, sentAt: number | null) =>
    env.DB.prepare(
      "INSERT INTO mail_messages (id, \"to\", subject, text, html, status, attempts, created_at, sent_at) VALUES (?, ?, 's', '', '', ?, 1, ?, ?)",
    )
      .bind(id, user.email, status, now - 40 * DAY, sentAt)
      .run();
  const suffix = Date.now().toString(36);
  await insert(`msg_oldsent${suffix}`, "sent", now - 31 * DAY);
  await insert(`msg_newsent${suffix}`, "sent", now - 29 * DAY);
  await insert(`msg_failed${suffix}`, "failed", null);
  await runJobs(now + 80_000, env, { "purge-sent-mail": JOBS["purge-sent-mail"]! });
  const left = await env.DB.prepare("SELECT id FROM mail_messages WHERE \"to\" = ? AND subject = 's' ORDER BY id")
    .bind(user.email)
    .all<{ id: string }>();
  expect(left.results.map((r) => r.id)).toEqual([`msg_failed${suffix}`, `msg_newsent${suffix}`]);
});

it("drops the webhook log after 30 days, skipped deliveries too, keeping failed ones; re-queues events never dispatched", async () => {
  const owner = await createUser("hook-log");
  const org = await call("POST", "/v1/orgs", { token: owner.accessToken, body: { name: "H", slug: `h-${Date.now().toString(36)}` } });
  const orgId = org.body.id as string;
  const endpoint = await call("POST", `/v1/orgs/${orgId}/webhooks/endpoints`, {
    token: owner.accessToken,
    body: { url: "https://hooks.example.com/log", enabled: false },
  });
  const now = Date.now();
  const old = now - 31 * 86_400_000;
  const s = Date.now().toString(36);
  const event = (id: string, createdAt: number, dispatchedAt: number | null) =>
    env.DB.prepare(
      "INSERT INTO webhook_events (id, org_id, type, payload, created_at, dispatched_at) VALUES (?, ?, 'webhook.test', '{}', ?, ?)",
    )
      .bind(id, orgId, createdAt, dispatchedAt)
      .run();
  const delivery = (id: string, eventId: string, status: string) =>
    env.DB.prepare(
      "INSERT INTO webhook_deliveries (id, event_id, endpoint_id, org_id, status, attempts, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
    )
      .bind(id, eventId, endpoint.body.id, orgId, status, old, old)
      .run();
  await event(`evt_olddelivered${s}`, old, old);
  await delivery(`whd_olddelivered${s}`, `evt_olddelivered${s}`, "delivered");
  await env.DB.prepare(
    "INSERT INTO webhook_attempts (id, delivery_id, event_id, endpoint_id, org_id, attempt, status_code, latency_ms, created_at) VALUES (?, ?, ?, ?, ?, 1, 200, 5, ?)",
  )
    .bind(`atmpt_old${s}`, `whd_olddelivered${s}`, `evt_olddelivered${s}`, endpoint.body.id, orgId, old)
    .run();
  await event(`evt_oldfailed${s}`, old, old);
  await delivery(`whd_oldfailed${s}`, `evt_oldfailed${s}`, "failed");
  // Not sent while the endpoint was disabled: recoverable for the 30 days the log is kept, not longer.
  await event(`evt_oldskipped${s}`, old, old);
  await delivery(`whd_oldskipped${s}`, `evt_oldskipped${s}`, "skipped");
  await event(`evt_recent${s}`, now - 86_400_000, now - 86_400_000);
  await event(`evt_lost${s}`, now - 10 * 60_000, null);

  await runJobs(now + 90_000, env, {
    "purge-webhook-log": JOBS["purge-webhook-log"]!,
    "requeue-undispatched-webhooks": JOBS["requeue-undispatched-webhooks"]!,
  });
  const left = await env.DB.prepare("SELECT id FROM webhook_events WHERE org_id = ? ORDER BY id").bind(orgId).all<{ id: string }>();
  expect(left.results.map((r) => r.id).sort()).toEqual([`evt_lost${s}`, `evt_oldfailed${s}`, `evt_recent${s}`].sort());
  expect(await count("SELECT count(*) AS n FROM webhook_attempts WHERE id = ?", `atmpt_old${s}`)).toBe(0);
  expect(await count("SELECT count(*) AS n FROM webhook_deliveries WHERE id = ?", `whd_olddelivered${s}`)).toBe(0);
  expect(await count("SELECT count(*) AS n FROM webhook_deliveries WHERE id = ?", `whd_oldskipped${s}`)).toBe(0);
  // The lost event went back on the real queue, and its dispatcher ran.
  const { eventually } = await import("../../test/eventually");
  await eventually(
    async () =>
      (await env.DB.prepare("SELECT dispatched_at FROM webhook_events WHERE id = ?").bind(`evt_lost${s}`).first<number>("dispatched_at"))
        ? true
        : undefined,
    "the lost event dispatched",
  );
});

it("re-queues more lost webhook events than one queue batch takes (100)", async () => {
  const owner = await createUser("hook-lost-many");
  const org = await call("POST", "/v1/orgs", { token: owner.accessToken, body: { name: "L", slug: `l-${Date.now().toString(36)}` } });
  const orgId = org.body.id as string;
  const now = Date.now();
  const s = now.toString(36);
  const ids = Array.from({ length: 150 }, (_, i) => `evt_lostmany${s}${String(i).padStart(3, "0")}`);
  await env.DB.batch(
    ids.map((id) =>
      env.DB.prepare(
        "INSERT INTO webhook_events (id, org_id, type, payload, created_at, dispatched_at) VALUES (?, ?, 'webhook.test', '{}', ?, NULL)",
      ).bind(id, orgId, now - 10 * 60_000),
    ),
  );
  await runJobs(now + 90_000, env, { "requeue-undispatched-webhooks": JOBS["requeue-undispatched-webhooks"]! });
  const { eventually } = await import("../../test/eventually");
  const undispatched = () => count("SELECT count(*) AS n FROM webhook_events WHERE org_id = ? AND dispatched_at IS NULL", orgId);
  await eventually(async () => ((await undispatched()) === 0 ? true : undefined), "all 150 lost events dispatched");
});
