import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { uniqueEmail } from "../../test/fixtures";
import { call } from "../../test/http";
import worker from "../index";
const status = async (id: string) => (await env.DB.prepare("SELECT status, attempts FROM mail_messages WHERE id = ?").bind(id).first<{ status: string; attempts: number }>())!;

it("the mail consumer sends queued mail once and acks duplicates without resending", async () => {
  const email = uniqueEmail("mail");
  await call("POST", "/v1/auth/signup", { body: { email, password: "a long password", name: "M" } });
  const { id } = (await env.DB.prepare("SELECT id FROM mail_messages WHERE \"to\" = ?").bind(email).first<{ id: string }>())!;

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
  const { id } = (await env.DB.prepare("SELECT id FROM mail_messages WHERE \"to\" = ?").bind(email).first<{ id: string }>())!;
  const batch = createMessageBatch("plaza-mail-dlq", [{ id: "d1", timestamp: new Date(), attempts: 1, body: { messageId: id } }]);
  await worker.queue(batch, env);
  expect((await status(id)).status).toBe("failed");
});
