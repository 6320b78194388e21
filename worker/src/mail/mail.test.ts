import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it, vi } from "vitest";
import { createUser, lastMailTo, makeOperator, uniqueEmail } from "../../test/fixtures";
import { call, errorCode } from "../../test/http";
import { eventually } from "../../test/payments";
import { createDb } from "../db/client";
import worker from "../index";
import { mailInsert } from "./outbox";
import { inviteMail } from "./templates";

const status = async (id: string) =>
  (await env.DB.prepare("SELECT status, attempts FROM mail_messages WHERE id = ?").bind(id).first<{ status: string; attempts: number }>())!;

it("the mail consumer sends queued mail once and acks duplicates without resending", async () => {
  const email = uniqueEmail("mail");
  await call("POST", "/v1/auth/signup", { body: { email, password: "a long password", name: "M" } });
  const { id } = (await env.DB.prepare('SELECT id FROM mail_messages WHERE "to" = ?').bind(email).first<{ id: string }>())!;

  const batch = createMessageBatch("plaza-mail", [
    { id: "m1", timestamp: new Date(), attempts: 1, body: { messageId: id } },
    { id: "m2", timestamp: new Date(), attempts: 1, body: { messageId: id } },
  ]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  const result = await getQueueResult(batch, ctx);
  expect(result.explicitAcks.sort()).toEqual(["m1", "m2"]);
  expect(result.retryMessages).toEqual([]);
  expect(await status(id)).toMatchObject({ status: "sent" });
  expect((await status(id)).attempts).toBeLessThanOrEqual(1);
});

it("dead-lettered mail is marked failed so it is visible", async () => {
  const email = uniqueEmail("dlq");
  await call("POST", "/v1/auth/signup", { body: { email, password: "a long password", name: "D" } });
  const { id } = (await env.DB.prepare('SELECT id FROM mail_messages WHERE "to" = ?').bind(email).first<{ id: string }>())!;
  const batch = createMessageBatch("plaza-mail-dlq", [{ id: "d1", timestamp: new Date(), attempts: 1, body: { messageId: id } }]);
  await worker.queue(batch, env);
  expect((await status(id)).status).toBe("failed");
});

it("mail is sealed at rest: the outbox row holds no link in clear", async () => {
  const email = uniqueEmail("sealed");
  await call("POST", "/v1/auth/signup", { body: { email, password: "a long password", name: "S" } });
  const raw = (await env.DB.prepare('SELECT text, html, sealed FROM mail_messages WHERE "to" = ?')
    .bind(email)
    .first<{ text: string; html: string; sealed: number }>())!;
  expect(raw.sealed).toBe(1);
  expect(raw.text).not.toContain("verify-email");
  expect(raw.html).not.toContain("verify-email");
  expect((await lastMailTo(email)).text).toContain("/verify-email?token=");
});

it("a refused send is retried with its error kept; once dead-lettered an operator sees it and re-sends it", async () => {
  const email = uniqueEmail("refused");
  // Written but not queued, so only the batches below deliver it.
  const { id, insert } = await mailInsert(
    { env, db: createDb(env.DB) },
    { to: email, mail: inviteMail("Ada", "Acme", "member", "https://plaza.test/invites/accept?token=t") },
  );
  await insert;
  const refusing = {
    ...env,
    MAIL_TRANSPORT: "http" as const,
    MAIL_HTTP_URL: "http://plaza.test/v1/no-such-mail-api",
    MAIL_HTTP_TOKEN: "t",
  };

  const batch = createMessageBatch("plaza-mail", [{ id: "r1", timestamp: new Date(), attempts: 1, body: { messageId: id } }]);
  const ctx = createExecutionContext();
  await worker.queue(batch, refusing);
  const result = await getQueueResult(batch, ctx);
  expect(result.retryMessages.map((m) => m.msgId)).toEqual(["r1"]);
  const after = (await env.DB.prepare("SELECT status, attempts, last_error FROM mail_messages WHERE id = ?")
    .bind(id)
    .first<{ status: string; attempts: number; last_error: string }>())!;
  expect(after).toMatchObject({ status: "queued", attempts: 1 });
  expect(after.last_error).toContain("mail API answered 401");

  await worker.queue(
    createMessageBatch("plaza-mail-dlq", [{ id: "r2", timestamp: new Date(), attempts: 6, body: { messageId: id } }]),
    env,
  );
  const operator = await createUser("mail-operator");
  await makeOperator(operator);
  const failed = await call("GET", `/v1/operator/mail?status=failed&to=${encodeURIComponent(email)}`, { token: operator.accessToken });
  expect(failed.body.data).toEqual([
    expect.objectContaining({ id, status: "failed", attempts: 1, lastError: expect.stringContaining("401") }),
  ]);
  expect(failed.body.data[0]).not.toHaveProperty("text");

  const resent = await call("POST", `/v1/operator/mail/${id}/resend`, { token: operator.accessToken });
  expect([resent.status, resent.body.status]).toEqual([202, "queued"]);
  // The resend is on the real queue: its consumer (the dev mailbox transport here) sends it.
  await eventually(async () => ((await status(id)).status === "sent" ? true : undefined), "the re-sent mail to be sent");
  const twice = await call("POST", `/v1/operator/mail/${id}/resend`, { token: operator.accessToken });
  expect([twice.status, errorCode(twice)]).toEqual([409, "conflict"]);
  const unknown = await call("POST", "/v1/operator/mail/msg_00000000000000000000/resend", { token: operator.accessToken });
  expect(unknown.status).toBe(404);
});

it("a failed send is retried by the mail queue's policy (20 s, doubling, up to 20% more) and logged with the queue message id", async () => {
  const { id, insert } = await mailInsert(
    { env, db: createDb(env.DB) },
    { to: uniqueEmail("backoff"), mail: inviteMail("Ada", "Acme", "member", "https://plaza.test/t") },
  );
  await insert;
  const refusing = {
    ...env,
    MAIL_TRANSPORT: "http" as const,
    MAIL_HTTP_URL: "http://plaza.test/v1/no-such-mail-api",
    MAIL_HTTP_TOKEN: "t",
  };
  const warnings: string[] = [];
  vi.spyOn(console, "warn").mockImplementation((line: string) => void warnings.push(line));
  try {
    for (const [attempt, base] of [
      [1, 20],
      [3, 80],
      [9, 600],
    ] as const) {
      const batch = createMessageBatch("plaza-mail", [
        { id: `b${attempt}`, timestamp: new Date(), attempts: attempt, body: { messageId: id } },
      ]);
      const [message] = batch.messages;
      let delaySeconds: number | undefined;
      const retry = message!.retry.bind(message);
      message!.retry = (options?: QueueRetryOptions) => {
        delaySeconds = options?.delaySeconds;
        retry(options);
      };
      await worker.queue(batch, refusing);
      expect((await getQueueResult(batch, createExecutionContext())).retryMessages.map((m) => m.msgId)).toEqual([`b${attempt}`]);
      expect(delaySeconds).toBeGreaterThanOrEqual(base);
      expect(delaySeconds).toBeLessThanOrEqual(base * 1.2);
      expect(warnings.map((line) => JSON.parse(line))).toContainEqual(
        expect.objectContaining({ queue: "plaza-mail", messageId: `b${attempt}`, attempt, mailId: id, delaySeconds }),
      );
    }
  } finally {
    vi.restoreAllMocks();
  }
});
