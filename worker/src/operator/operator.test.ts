/** The operator console's routes over real local D1: overview, moderation queue, jobs. */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { insertItem } from "../../test/catalog-fixtures";
import { createUser, type OrgFixture, orgFixture, type TestUser } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";
import { JOBS, runJobs } from "../../test/jobs";
import { insertCheckout, insertOrder } from "../../test/payment-fixtures";
import { reviewedItem } from "../../test/review-fixtures";
import { JOB_RUN_RETENTION_MS } from "../maintenance";

const DAY = 86_400_000;
let fx: OrgFixture;
let reporter: TestUser;
beforeAll(async () => {
  fx = await orgFixture();
  reporter = await createUser("reporter");
});

const asOperator = (method: string, path: string, body?: unknown) => call(method, path, { token: fx.operator.accessToken, body });
const auditRows = async (targetId: string) =>
  (
    await env.DB.prepare(
      "SELECT action, actor_user_id AS actor, org_id AS orgId, metadata FROM audit_events WHERE target_id = ? ORDER BY created_at",
    )
      .bind(targetId)
      .all<{ action: string; actor: string; orgId: string | null; metadata: string }>()
  ).results.map((r) => ({ ...r, metadata: JSON.parse(r.metadata) }));
const report = (user: TestUser, slug: string, body: unknown = { reason: "malware", details: "phones home" }) =>
  call("POST", `/v1/items/${slug}/report`, { token: user.accessToken, body });
const queue = async (status: "open" | "resolved", extra = "") =>
  (await asOperator("GET", `/v1/operator/reports?status=${status}${extra}`)).body;

describe("item reports and the moderation queue", () => {
  it("joins everyone's reports of an item in one open case, once per person", async () => {
    const item = await insertItem(fx.orgId);
    const first = await report(reporter, item.slug);
    expect([first.status, first.body.status]).toEqual([201, "open"]);
    const second = await report(fx.member, item.slug, { reason: "spam" });
    expect([second.status, second.body.id]).toEqual([201, first.body.id]);
    const again = await report(reporter, item.slug, { reason: "other" });
    expect([again.status, errorCode(again)]).toEqual([409, "conflict"]);

    const entry = (await queue("open")).data.find((r: { id: string }) => r.id === first.body.id);
    expect(entry).toEqual({
      id: first.body.id,
      kind: "item",
      itemId: item.id,
      itemSlug: item.slug,
      itemName: item.name,
      orgId: fx.orgId,
      reviewId: null,
      reason: "malware",
      details: "phones home",
      reporterCount: 2,
      createdAt: first.body.createdAt,
      status: "open",
    });
    expect((await auditRows(item.id)).filter((r) => r.action === "item.reported").map((r) => r.actor)).toEqual([reporter.id, fx.member.id]);
  });

  it("refuses reports of items the public cannot see, and bad reasons", async () => {
    const draft = await insertItem(fx.orgId, { status: "draft" });
    expect((await report(reporter, draft.slug)).status).toBe(404);
    const item = await insertItem(fx.orgId);
    expect((await report(reporter, item.slug, { reason: "because" })).status).toBe(400);
    expect((await call("POST", `/v1/items/${item.slug}/report`, { body: { reason: "spam" } })).status).toBe(401);
  });

  it("unlisting the item resolves its case; a later report opens a new one", async () => {
    const item = await insertItem(fx.orgId);
    const opened = (await report(reporter, item.slug)).body.id;
    const unlisted = await asOperator("POST", `/v1/operator/items/${item.id}/moderation`, {
      action: "unlist",
      reason: "malware confirmed",
    });
    expect(unlisted.status).toBe(200);
    expect((await queue("open")).data.map((r: { id: string }) => r.id)).not.toContain(opened);
    expect((await queue("resolved")).data).toContainEqual(expect.objectContaining({ id: opened, status: "resolved", reporterCount: 1 }));
    const row = await env.DB.prepare("SELECT resolution, resolved_by AS resolvedBy FROM item_reports WHERE id = ?").bind(opened).first();
    expect(row).toEqual({ resolution: "unlist", resolvedBy: fx.operator.id });
    expect((await auditRows(item.id)).find((r) => r.action === "item.moderated")?.actor).toBe(fx.operator.id);

    // Unlisted items stay reachable by link, so they can be reported again: a new case.
    const later = await report(fx.member, item.slug);
    expect([later.status, later.body.id === opened]).toEqual([201, false]);
  });

  it("lists review reports too, pages across both kinds, and dismisses either with an audit row", async () => {
    const { item, review } = await reviewedItem(fx.orgId, reporter);
    const reviewReport = await call("POST", `/v1/orgs/${fx.orgId}/items/${item.id}/reviews/${review.id}/report`, {
      token: fx.admin.accessToken,
      body: { reason: "abusive" },
    });
    expect(reviewReport.status).toBe(201);
    const itemCase = (await report(fx.member, (await insertItem(fx.orgId)).slug)).body.id;

    // One entry per page: every open report once, newest first, the review's among them.
    const seen: { id: string; kind: string; createdAt: number }[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: typeof seen; nextCursor: string | null } = await queue("open", `&limit=1${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.map((r) => r.id)).toEqual((await queue("open", "&limit=100")).data.map((r: { id: string }) => r.id));
    expect(new Set(seen.map((r) => r.id)).size).toBe(seen.length);
    const reviewEntry = seen.find((r) => r.kind === "review")! as unknown as Record<string, unknown>;
    expect(reviewEntry).toMatchObject({ reviewId: review.id, itemId: item.id, reason: "abusive", reporterCount: 1, status: "open" });

    for (const id of [reviewEntry.id as string, itemCase]) {
      // Two operators at once: one closes it, the other is told it is closed; one audit row.
      const both = await Promise.all([0, 1].map(() => asOperator("POST", `/v1/operator/reports/${id}/dismiss`)));
      expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
      const dismissed = both.find((r) => r.status === 200)!;
      expect([dismissed.body.id, dismissed.body.status]).toEqual([id, "resolved"]);
      const twice = await asOperator("POST", `/v1/operator/reports/${id}/dismiss`);
      expect([twice.status, errorCode(twice)]).toEqual([409, "conflict"]);
      expect(await auditRows(id)).toEqual([
        expect.objectContaining({ action: "report.dismissed", actor: fx.operator.id, orgId: fx.orgId }),
      ]);
    }
    expect((await queue("open", "&limit=100")).data.map((r: { id: string }) => r.id)).not.toContain(itemCase);
    expect((await asOperator("POST", "/v1/operator/reports/irp_doesnotexist0000000/dismiss")).status).toBe(404);
    expect((await asOperator("POST", "/v1/operator/reports/nonsense/dismiss")).status).toBe(404);
  });
});

describe("overview", () => {
  it("counts payments by status, open disputes and every dead letter, and lists failing endpoints and the jobs", async () => {
    const before = (await asOperator("GET", "/v1/operator/overview")).body;
    const s = Date.now().toString(36);
    const now = Date.now();
    const order = await insertOrder(fx.orgId, reporter.id, { status: "partially_refunded", amountRefunded: 100 });
    const checkoutId = await insertCheckout(fx.orgId);
    await env.DB.batch([
      env.DB.prepare("UPDATE checkouts SET status = 'failed' WHERE id = ?").bind(checkoutId),
      env.DB.prepare(
        `INSERT INTO disputes (id, org_id, order_id, item_id, amount, currency, reason, status, evidence_due_by, livemode, created_at, updated_at)
         VALUES (?, ?, ?, ?, 1000, 'usd', 'fraudulent', 'needs_response', NULL, 0, ?, ?), (?, ?, ?, ?, 1000, 'usd', 'fraudulent', 'won', NULL, 0, ?, ?)`,
      ).bind(`du_open${s}`, fx.orgId, order.id, order.item.id, now, now, `du_won${s}`, fx.orgId, order.id, order.item.id, now, now),
      env.DB.prepare(
        `INSERT INTO mail_messages (id, "to", subject, text, html, status, attempts, created_at) VALUES (?, 'x@example.test', 's', '', '', 'failed', 5, ?)`,
      ).bind(`msg_dead${s}`, now),
      env.DB.prepare(
        "INSERT INTO stripe_events (id, type, payload, status, attempts, last_error, received_at) VALUES (?, 'charge.refunded', '{}', 'failed', 5, 'boom', ?)",
      ).bind(`evt_dead${s}`, now),
    ]);
    const endpoint = await call("POST", `/v1/orgs/${fx.orgId}/webhooks/endpoints`, {
      token: fx.owner.accessToken,
      body: { url: "https://hooks.example.com/overview" },
    });
    expect(endpoint.status).toBe(201);
    const endpointId = endpoint.body.id as string;
    await env.DB.batch([
      env.DB.prepare("UPDATE webhook_endpoints SET failing_since = ? WHERE id = ?").bind(now - 3 * DAY, endpointId),
      env.DB.prepare(
        "INSERT INTO webhook_events (id, org_id, type, payload, created_at, dispatched_at) VALUES (?, ?, 'webhook.test', '{}', ?, ?)",
      ).bind(`evt_hook${s}`, fx.orgId, now, now),
      env.DB.prepare(
        "INSERT INTO webhook_deliveries (id, event_id, endpoint_id, org_id, status, attempts, created_at, updated_at) VALUES (?, ?, ?, ?, 'failed', 2, ?, ?)",
      ).bind(`whd_dead${s}`, `evt_hook${s}`, endpointId, fx.orgId, now, now),
      env.DB.prepare(
        `INSERT INTO webhook_attempts (id, delivery_id, event_id, endpoint_id, org_id, attempt, status_code, latency_ms, error, created_at)
         VALUES (?, ?, ?, ?, ?, 1, 500, 5, NULL, ?), (?, ?, ?, ?, ?, 2, NULL, 5, 'connection refused', ?)`,
      ).bind(
        `atmpt_a${s}`,
        `whd_dead${s}`,
        `evt_hook${s}`,
        endpointId,
        fx.orgId,
        now - DAY,
        `atmpt_b${s}`,
        `whd_dead${s}`,
        `evt_hook${s}`,
        endpointId,
        fx.orgId,
        now,
      ),
    ]);
    await runJobs(now, env, { "purge-job-runs": JOBS["purge-job-runs"]! });

    const after = (await asOperator("GET", "/v1/operator/overview")).body;
    const plusOne = (n: number | undefined) => (n ?? 0) + 1;
    expect(after.paymentsByStatus).toMatchObject({
      partially_refunded: plusOne(before.paymentsByStatus.partially_refunded),
      failed: plusOne(before.paymentsByStatus.failed),
    });
    expect(after.disputesOpen).toBe(before.disputesOpen + 1);
    expect(after.deadLetters).toEqual({
      mail: before.deadLetters.mail + 1,
      stripeEvents: before.deadLetters.stripeEvents + 1,
      webhooks: before.deadLetters.webhooks + 1,
    });
    expect(after.failingEndpoints).toContainEqual({
      endpointId,
      orgId: fx.orgId,
      orgName: expect.any(String),
      url: "https://hooks.example.com/overview",
      status: "failing",
      consecutiveFailures: 2,
      lastError: "connection refused",
    });
    expect(after.failingEndpoints.find((e: { endpointId: string }) => e.endpointId === endpointId).orgName).not.toBe("");
    expect(after.jobs.map((j: { job: string }) => j.job)).toEqual(Object.keys(JOBS).sort());
    expect(after.jobs.find((j: { job: string }) => j.job === "purge-job-runs")).toMatchObject({
      schedule: "*/5 * * * *",
      lastRun: { job: "purge-job-runs", status: "succeeded", startedAt: expect.any(Number), finishedAt: expect.any(Number), error: null },
    });
  });
});

describe("jobs", () => {
  it("lists every job with its schedule", async () => {
    const res = await asOperator("GET", "/v1/operator/jobs");
    expect(res.status).toBe(200);
    expect(res.body.map((j: { job: string }) => j.job)).toEqual(Object.keys(JOBS).sort());
    const schedules = Object.fromEntries(res.body.map((j: { job: string; schedule: string }) => [j.job, j.schedule]));
    expect(schedules).toMatchObject({ "purge-job-runs": "*/5 * * * *", "analytics-backfill": "0 0 * * *" });
  });

  it("runs a job now through the scheduler's runner: recorded in job_runs like a cron run, and audited", async () => {
    const res = await asOperator("POST", "/v1/operator/jobs/purge-expired-credentials/run");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ job: "purge-expired-credentials", status: "succeeded", finishedAt: expect.any(Number), error: null });
    const row = await env.DB.prepare("SELECT job, status, processed FROM job_runs WHERE id = ?").bind(res.body.id).first();
    expect(row).toEqual({ job: "purge-expired-credentials", status: "succeeded", processed: res.body.processed });
    expect(await auditRows(res.body.id)).toEqual([
      {
        action: "job.run_now",
        actor: fx.operator.id,
        orgId: null,
        metadata: { job: "purge-expired-credentials", status: "succeeded", processed: res.body.processed },
      },
    ]);
    const runs = await asOperator("GET", "/v1/operator/job-runs?job=purge-expired-credentials");
    expect(runs.body.data[0]).toEqual(res.body);
    expect((await asOperator("POST", "/v1/operator/jobs/no-such-job/run")).status).toBe(404);
  });

  it("pages the run log newest first by tick, for one job or all", async () => {
    const job = `paging-${Date.now().toString(36)}`;
    const base = Date.now() - 10 * DAY;
    const ticks = [base, base + 1000, base + 1000, base + 2000, base + 3000];
    await env.DB.batch(
      ticks.map((tick, i) =>
        env.DB.prepare(
          "INSERT INTO job_runs (id, job, scheduled_at, started_at, status, processed) VALUES (?, ?, ?, ?, 'succeeded', ?)",
        ).bind(`job_paging${i}${job.replace(/-/g, "")}`, `${job}${i === 2 ? "-other" : ""}`, tick, tick, i),
      ),
    );
    const walk = async (filter: string) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: { data: { id: string }[]; nextCursor: string | null } } = await asOperator(
          "GET",
          `/v1/operator/job-runs?limit=2${filter}${cursor ? `&cursor=${cursor}` : ""}`,
        );
        ids.push(...res.body.data.map((r) => r.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      return ids;
    };
    const mine = (i: number) => `job_paging${i}${job.replace(/-/g, "")}`;
    expect(await walk(`&job=${job}`)).toEqual([mine(4), mine(3), mine(1), mine(0)]);
    const all = await walk("");
    // The two runs of one tick: by id, descending.
    expect(all.filter((id) => id.includes(job.replace(/-/g, "")))).toEqual([mine(4), mine(3), mine(2), mine(1), mine(0)]);
    expect(new Set(all).size).toBe(all.length);
  });

  it("purge-job-runs deletes only runs of ticks older than 30 days", async () => {
    const now = Date.now();
    const s = now.toString(36);
    const insert = (id: string, tick: number) =>
      env.DB.prepare("INSERT INTO job_runs (id, job, scheduled_at, started_at, status) VALUES (?, 'purge-test', ?, ?, 'succeeded')").bind(
        id,
        tick,
        tick,
      );
    await env.DB.batch([
      insert(`job_old${s}`, now - JOB_RUN_RETENTION_MS - 60_000),
      insert(`job_edge${s}`, now - JOB_RUN_RETENTION_MS + 60_000),
      insert(`job_new${s}`, now - DAY),
    ]);
    const result = await runJobs(now + 1, env, { "purge-job-runs": JOBS["purge-job-runs"]! });
    expect(result["purge-job-runs"]).toEqual({ status: "succeeded", processed: 1 });
    const left = await env.DB.prepare("SELECT id FROM job_runs WHERE job = 'purge-test' ORDER BY id").all<{ id: string }>();
    expect(left.results.map((r) => r.id)).toEqual([`job_edge${s}`, `job_new${s}`]);
  });
});
