import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { Readyz } from "../../../shared/health";
import { createUser, lastMailTo, makeOperator, type TestUser } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";
import { JOBS, jobContext } from "../../test/jobs";
import type { Env } from "../env";
import worker from "../index";

const READYZ_TOKEN = `rdz_${crypto.randomUUID()}${crypto.randomUUID()}`;

/** GET /readyz through the Worker's fetch with `env` (a broken binding, a token set) instead of the test's. */
async function readyzWith(overrides: Partial<Env> & { READYZ_TOKEN?: string }, bearer?: string) {
  const request = new Request("http://plaza.test/readyz", { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
  const res = await worker.fetch(request as never, { ...env, ...overrides } as never, createExecutionContext());
  return { status: res.status, body: (await res.json()) as { ok?: boolean; checks?: unknown; error?: { code: string } } };
}

let operator: TestUser;
let buyer: TestUser;

beforeAll(async () => {
  operator = await createUser("ops");
  await makeOperator(operator);
  buyer = await createUser("buyer");
});

describe("GET /readyz", () => {
  it("answers an operator 200 with each check ok and timed", async () => {
    const res = await call("GET", "/readyz", { token: operator.accessToken });
    expect(res.status).toBe(200);
    const body = Readyz.parse(res.body);
    expect(body.ok).toBe(true);
    for (const check of Object.values(body.checks)) expect(check).toMatchObject({ ok: true, ms: expect.any(Number) });
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("answers an uptime monitor's READYZ_TOKEN without a user", async () => {
    const res = await readyzWith({ READYZ_TOKEN }, READYZ_TOKEN);
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
  });

  it("is 404 to anyone else: anonymous, a signed-in non-operator, a wrong token, a token too short to count", async () => {
    expect(errorCode(await call("GET", "/readyz"))).toBe("not_found");
    const nonOperator = await call("GET", "/readyz", { token: buyer.accessToken });
    expect(nonOperator.status).toBe(404);
    expect(errorCode(nonOperator)).toBe("not_found");
    expect((await readyzWith({ READYZ_TOKEN }, `${READYZ_TOKEN}x`)).status).toBe(404);
    expect((await readyzWith({ READYZ_TOKEN }, "garbage")).status).toBe(404);
    expect((await readyzWith({ READYZ_TOKEN: "short" }, "short")).status).toBe(404);
    // No token configured: no bearer matches it.
    expect((await readyzWith({}, "undefined")).status).toBe(404);
  });

  it("answers 503 naming the failing checks, without their internal errors", async () => {
    const brokenBucket = {
      head: () => Promise.reject(new Error("R2 internal: bucket plaza-secret-name is gone")),
    } as unknown as R2Bucket;
    const res = await readyzWith({ READYZ_TOKEN, BUCKET: brokenBucket, MAIL_QUEUE: undefined as never }, READYZ_TOKEN);
    expect(res.status).toBe(503);
    const body = Readyz.parse(res.body);
    expect(body.ok).toBe(false);
    expect(body.checks.d1.ok).toBe(true);
    expect(body.checks.r2).toMatchObject({ ok: false, reason: "unreachable" });
    expect(body.checks.queues).toMatchObject({ ok: false, reason: "binding_missing", missing: ["MAIL_QUEUE"] });
    expect(JSON.stringify(res.body)).not.toContain("plaza-secret-name");
  });

  it("fails D1 when it is unreachable or the newest migration is not applied", async () => {
    const unreachable = fakeD1(() => {
      throw new Error("D1_ERROR: network connection lost");
    });
    const down = await readyzWith({ READYZ_TOKEN, DB: unreachable }, READYZ_TOKEN);
    expect(down.status).toBe(503);
    expect(Readyz.parse(down.body).checks.d1).toMatchObject({ ok: false, reason: "unreachable" });

    // A database where d1_migrations lacks this code's newest migration.
    const behind = fakeD1((query) => env.DB.prepare(query.replace("d1_migrations", "(SELECT name FROM d1_migrations WHERE 0)")));
    const pending = await readyzWith({ READYZ_TOKEN, DB: behind }, READYZ_TOKEN);
    expect(pending.status).toBe(503);
    expect(Readyz.parse(pending.body).checks.d1).toMatchObject({ ok: false, reason: "migrations_pending" });
  });

  it("is not served as the web app for other methods", async () => {
    const res = await call("POST", "/readyz");
    expect(res.status).not.toBe(200);
    expect(typeof res.body).not.toBe("string");
  });
});

/** A D1 binding whose every statement is `prepare`'s, also inside the session each request starts. */
function fakeD1(prepare: (query: string) => D1PreparedStatement): D1Database {
  const session = { prepare, batch: () => Promise.reject(new Error("no batch here")), getBookmark: () => null };
  return { ...session, withSession: () => session } as unknown as D1Database;
}

const deadLetterRows = (queue: string) =>
  env.DB.prepare("SELECT message_id, about, attempts, alerted_at FROM dead_letters WHERE queue = ? ORDER BY message_id")
    .bind(queue)
    .all<{ message_id: string; about: string; attempts: number; alerted_at: number | null }>();

async function deliver(queue: string, messages: { id: string; body: unknown; attempts?: number }[]) {
  const batch = createMessageBatch(
    queue,
    messages.map((m) => ({ id: m.id, timestamp: new Date(), attempts: m.attempts ?? 1, body: m.body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch as never, env as never);
  return getQueueResult(batch, ctx);
}

const mailCount = async (to: string, subjectLike: string) =>
  (await env.DB.prepare('SELECT count(*) AS n FROM mail_messages WHERE "to" = ? AND subject LIKE ?')
    .bind(to, subjectLike)
    .first<{ n: number }>())!.n;

const runAlerts = (now: number) => JOBS["operator-alerts"]!(jobContext(env, now));

describe("dead letters and operator alerts", () => {
  it("every dead-letter queue's consumer records its messages once, however often delivered", async () => {
    const cases: [string, unknown][] = [
      ["plaza-mail-dlq", { messageId: "mail_missing" }],
      ["plaza-stripe-events-dlq", { eventId: "evt_missing" }],
      ["plaza-webhooks-dlq", { kind: "delivery", id: "whd_missing" }],
      ["plaza-media-dlq", { mediaId: "med_missing" }],
      ["plaza-uploads-dlq", { uploadId: "upl_missing" }],
    ];
    for (const [queue, body] of cases) {
      const result = await deliver(queue, [{ id: `${queue}-1`, body, attempts: 2 }]);
      expect(result.explicitAcks).toEqual([`${queue}-1`]);
      await deliver(queue, [{ id: `${queue}-1`, body, attempts: 3 }]);
      const { results } = await deadLetterRows(queue);
      expect(results).toEqual([{ message_id: `${queue}-1`, about: JSON.stringify(body), attempts: 2, alerted_at: null }]);
    }
    const listed = await call("GET", "/v1/operator/dead-letters?limit=10", { token: operator.accessToken });
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((d: { queue: string }) => d.queue).sort()).toEqual(cases.map(([queue]) => queue).sort());
    expect(listed.body.data[0]).toMatchObject({ messageId: expect.any(String), attempts: 2, alertedAt: null });
  });

  it("mails every operator once about new dead letters, not again on the next tick, and again for new ones", async () => {
    const second = await createUser("ops2");
    await makeOperator(second);
    const subject = "Plaza: % reached a dead-letter queue";
    const before = await mailCount(operator.email, subject);
    // The dead letters of the previous test, plus one more.
    await deliver("plaza-mail-dlq", [{ id: "late-1", body: { messageId: "mail_late" } }]);
    const now = Date.now();
    expect(await runAlerts(now)).toBe(1);
    expect(await mailCount(operator.email, subject)).toBe(before + 1);
    expect(await mailCount(second.email, subject)).toBe(1);
    const mail = await lastMailTo(second.email);
    expect(mail.subject).toBe("Plaza: 6 messages reached a dead-letter queue");
    expect(mail.text).toContain("plaza-mail-dlq: 2");
    expect(mail.text).toContain("late-1");
    expect(mail.html).not.toContain("<script");

    // The next tick (and the same tick run again) finds nothing new.
    expect(await runAlerts(now + 300_000)).toBe(0);
    expect(await runAlerts(now)).toBe(0);
    expect(await mailCount(second.email, subject)).toBe(1);

    await deliver("plaza-webhooks-dlq", [{ id: "later-1", body: { kind: "delivery", id: "whd_later" } }]);
    expect(await runAlerts(Date.now() + 600_000)).toBe(1);
    expect(await mailCount(second.email, subject)).toBe(2);
    expect((await lastMailTo(second.email)).subject).toBe("Plaza: 1 message reached a dead-letter queue");
  });

  describe("jobs failing twice in a row", () => {
    /** Runs five minutes apart, like cron ticks; each alert run happens right after the newest. */
    let tick = Date.now() - 10 * 86_400_000;
    async function run(job: string, status: "succeeded" | "failed") {
      tick += 300_000;
      await env.DB.prepare(
        "INSERT INTO job_runs (id, job, scheduled_at, started_at, finished_at, status, processed, error) VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
      )
        .bind(`jr_${crypto.randomUUID()}`, job, tick, tick, tick + 10, status, status === "failed" ? `${job} broke at ${tick}` : null)
        .run();
    }
    const subject = (job: string) => `Plaza: the job ${job} failed twice in a row`;

    it("mails once when a job's two newest runs failed, not on later ticks or a third failure, and again after it recovers and fails twice more", async () => {
      await run("flaky-job", "succeeded");
      await run("flaky-job", "failed");
      expect(await runAlerts(tick + 1)).toBe(0);
      expect(await mailCount(operator.email, subject("flaky-job"))).toBe(0);

      await run("flaky-job", "failed");
      expect(await runAlerts(tick + 1)).toBe(1);
      expect(await mailCount(operator.email, subject("flaky-job"))).toBe(1);
      expect((await lastMailTo(operator.email)).text).toContain(`flaky-job broke at ${tick}`);

      expect(await runAlerts(tick + 300_001)).toBe(0);
      await run("flaky-job", "failed");
      expect(await runAlerts(tick + 1)).toBe(0);
      expect(await mailCount(operator.email, subject("flaky-job"))).toBe(1);

      await run("flaky-job", "succeeded");
      await run("flaky-job", "failed");
      expect(await runAlerts(tick + 1)).toBe(0);
      await run("flaky-job", "failed");
      expect(await runAlerts(tick + 1)).toBe(1);
      expect(await mailCount(operator.email, subject("flaky-job"))).toBe(2);
    });

    it("does not mail for a job that failed once and then succeeded, or failed around a success", async () => {
      await run("once-job", "failed");
      await run("once-job", "succeeded");
      await run("other-job", "failed");
      await run("other-job", "succeeded");
      await run("other-job", "failed");
      expect(await runAlerts(tick + 1)).toBe(0);
      expect(await mailCount(operator.email, subject("once-job"))).toBe(0);
      expect(await mailCount(operator.email, subject("other-job"))).toBe(0);
    });

    it("counts a job's first two runs failing (no success ever), and ignores a run still going", async () => {
      await run("new-job", "failed");
      tick += 300_000;
      await env.DB.prepare("INSERT INTO job_runs (id, job, scheduled_at, started_at, status) VALUES (?, 'new-job', ?, ?, 'running')")
        .bind(`jr_${crypto.randomUUID()}`, tick, tick)
        .run();
      expect(await runAlerts(tick + 1)).toBe(0);
      await run("new-job", "failed");
      expect(await runAlerts(tick + 1)).toBe(1);
      expect(await mailCount(operator.email, subject("new-job"))).toBe(1);
    });
  });
});

it("purge-old-alerts deletes dead letters and alert records past 30 days, keeping newer ones", async () => {
  const now = Date.now();
  const old = now - 31 * 86_400_000;
  for (let i = 0; i < 3; i++) {
    await env.DB.prepare(
      "INSERT INTO dead_letters (queue, message_id, about, attempts, recorded_at, alerted_at) VALUES ('plaza-media-dlq', ?, '{}', 1, ?, ?)",
    )
      .bind(`old-${i}`, old, old)
      .run();
  }
  await env.DB.prepare("INSERT INTO operator_alerts (key, kind, subject, created_at) VALUES ('dead_letters:old', 'dead_letters', 'Old', ?)")
    .bind(old)
    .run();
  const count = async (sql: string) => (await env.DB.prepare(sql).first<{ n: number }>())!.n;
  const newer = await count(`SELECT count(*) AS n FROM dead_letters WHERE recorded_at > ${old}`);
  expect(newer).toBeGreaterThan(0);

  // Two at a time: the three old letters (one recorded_at) take two runs.
  expect(await JOBS["purge-old-alerts"]!(jobContext(env, now, 2))).toBe(3);
  expect(await count("SELECT count(*) AS n FROM dead_letters WHERE message_id LIKE 'old-%'")).toBe(1);
  expect(await JOBS["purge-old-alerts"]!(jobContext(env, now, 2))).toBe(1);
  expect(await count("SELECT count(*) AS n FROM dead_letters WHERE message_id LIKE 'old-%'")).toBe(0);
  expect(await count("SELECT count(*) AS n FROM operator_alerts WHERE key = 'dead_letters:old'")).toBe(0);
  expect(await count("SELECT count(*) AS n FROM dead_letters")).toBe(newer);
  expect(await count("SELECT count(*) AS n FROM operator_alerts")).toBeGreaterThan(0);
});
