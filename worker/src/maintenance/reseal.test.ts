import { createMessageBatch } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { expect, it } from "vitest";
import { JOBS, jobContext, runJobs } from "../../test/jobs";
import { insertLicense } from "../../test/license-fixtures";
import { scriptedReceiver } from "../../test/webhook-receiver";
import { newId } from "../crypto/random";
import { open, seal } from "../crypto/secret-box";
import { createDb } from "../db/client";
import { licenseReveals, mailMessages, orgs, webhookEndpoints } from "../db/schema";
import type { Env } from "../env";
import { inviteMail, mailInsert, openBody } from "../mail";
import { consumeMail } from "../mail/consumer";
import { resealMail } from "../mail/reseal";
import type { Job } from "../module";
import { runtime } from "../modules";
import { receiptStatement } from "../receipts";
import { resealWebhookSecrets } from "../webhooks/reseal";
import { newSigningSecret, openSigners, SECRET_OVERLAP_MS, sealSecret, signatureWith } from "../webhooks/signing";

/*
 * Everything here is written straight into D1 and never queued, so no consumer running with the
 * test env's keys touches a row while it is being re-sealed.
 */
const testEnv = env as unknown as Env;
const db = createDb(env.DB);

/** The test env seals under `k1`; a rotation puts a fresh `k2` first and keeps `k1` to open. */
function rotation() {
  const fresh = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
  const k2 = `k2:${fresh}`;
  expect(testEnv.ENCRYPTION_KEYS.startsWith("k1:")).toBe(true);
  return {
    rotated: { ...testEnv, ENCRYPTION_KEYS: `${k2},${testEnv.ENCRYPTION_KEYS}` },
    /** Once the jobs report 0, `k1` can go: this env no longer knows it. */
    k2Only: { ...testEnv, ENCRYPTION_KEYS: k2 },
  };
}

const run = (job: Job, e: Env, batchSize = 100) => job(jobContext(e, Date.now(), batchSize));

async function insertOrg() {
  const id = newId("org");
  await db.insert(orgs).values({ id, slug: `reseal-${id.toLowerCase()}`, name: "Reseal Org", createdAt: Date.now() });
  return id;
}

const mailRow = async (id: string) => (await db.select().from(mailMessages).where(eq(mailMessages.id, id)))[0]!;

it("reseal-mail re-seals bodies and receipt payloads under the new key; the mail still sends with the new key alone", async () => {
  const { rotated, k2Only } = rotation();
  const orgId = await insertOrg();
  const to = `reseal-${Date.now().toString(36)}@example.test`;

  // A sealed body, as most mail is written.
  const invite = inviteMail("Ada", "Acme", "member", `https://plaza.test/invites/accept?token=${crypto.randomUUID()}`);
  const plain = await mailInsert({ env: testEnv, db }, { to, mail: invite });
  await plain.insert;
  // A receipt not sent yet: no body, its data (with the license key) sealed in the payload.
  const unsent = await insertLicense(orgId, newId("user"));
  const unsentReceipt = await receiptStatement(
    { env: testEnv, db },
    { licenseId: unsent.id, key: unsent.key, to, itemName: unsent.item.name, issuedByThisAttempt: sql`1 = 1`, now: Date.now() },
  );
  // A sent receipt: rendered and sealed by the consumer, payload kept.
  const sent = await insertLicense(orgId, newId("user"));
  const sentReceipt = await receiptStatement(
    { env: testEnv, db },
    { licenseId: sent.id, key: sent.key, to, itemName: sent.item.name, issuedByThisAttempt: sql`1 = 1`, now: Date.now() },
  );
  await db.batch([unsentReceipt.statement, sentReceipt.statement]);
  await consumeMail(
    createMessageBatch("plaza-mail", [{ id: "s1", timestamp: new Date(), attempts: 1, body: { messageId: sentReceipt.id } }]),
    testEnv,
    runtime,
  );

  const ids = [plain.id, unsentReceipt.id, sentReceipt.id];
  const sealedColumns = (row: typeof mailMessages.$inferSelect) => [
    ...(row.sealed ? [row.text, row.html] : []),
    ...(row.payload === null ? [] : [row.payload]),
  ];
  const before = new Map<string, string[]>();
  for (const id of ids) {
    const row = await mailRow(id);
    const columns = sealedColumns(row);
    expect(columns.every((c) => c.startsWith("k1:"))).toBe(true);
    before.set(id, await Promise.all(columns.map((c) => open(testEnv.ENCRYPTION_KEYS, c))));
  }
  expect(before.get(plain.id)).toHaveLength(2);
  expect(before.get(unsentReceipt.id)).toHaveLength(1);
  expect(before.get(sentReceipt.id)).toHaveLength(3);

  expect(await run(resealMail, rotated)).toBeGreaterThanOrEqual(3);
  for (const id of ids) {
    const row = await mailRow(id);
    const columns = sealedColumns(row);
    expect(columns.every((c) => c.startsWith("k2:"))).toBe(true);
    expect(await Promise.all(columns.map((c) => open(k2Only.ENCRYPTION_KEYS, c)))).toEqual(before.get(id));
  }
  expect(await mailRow(unsentReceipt.id)).toMatchObject({ sealed: false, text: "", html: "" });
  expect(await run(resealMail, rotated)).toBe(0);

  // Sending with only the new key: the sealed body opens, the receipt renders from its payload.
  const mailApi = scriptedReceiver(`reseal-mail-${Date.now().toString(36)}`, [200]);
  const sender = { ...k2Only, MAIL_TRANSPORT: "http" as const, MAIL_HTTP_URL: mailApi.url, MAIL_HTTP_TOKEN: crypto.randomUUID() };
  await consumeMail(
    createMessageBatch("plaza-mail", [
      { id: "p1", timestamp: new Date(), attempts: 1, body: { messageId: plain.id } },
      { id: "u1", timestamp: new Date(), attempts: 1, body: { messageId: unsentReceipt.id } },
    ]),
    sender,
    runtime,
  );
  expect(mailApi.received).toHaveLength(2);
  const [invited, receipt] = mailApi.received.map((r) => JSON.parse(r.body) as { subject: string; text: string; html: string });
  expect(invited).toMatchObject({ subject: invite.subject, text: invite.text, html: invite.html });
  expect(receipt!.text).toContain(unsent.key);
  for (const id of [plain.id, unsentReceipt.id]) expect(await mailRow(id)).toMatchObject({ status: "sent", lastError: null });
  expect((await openBody(k2Only, await mailRow(sentReceipt.id))).text).toContain(sent.key);
  expect(await run(resealMail, rotated)).toBe(0);
});

it("reseal-webhook-secrets re-seals current and previous secrets in bounded batches; deliveries still sign with both", async () => {
  const { rotated, k2Only } = rotation();
  const orgId = await insertOrg();
  const now = Date.now();
  const endpoint = (secret: string, previousSecret: string | null) => ({
    id: newId("webhookEndpoint"),
    orgId,
    url: "https://hooks.example.test/plaza",
    description: "",
    eventTypes: null,
    enabled: true,
    disabledReason: null,
    rateLimit: null,
    secret,
    previousSecret,
    previousSecretExpiresAt: previousSecret === null ? null : now + SECRET_OVERLAP_MS,
    failingSince: null,
    createdAt: now,
    updatedAt: now,
  });
  const [onlySecret, current, previous] = [newSigningSecret(), newSigningSecret(), newSigningSecret()];
  const single = endpoint(await sealSecret(testEnv, onlySecret), null);
  const rotatedSecret = endpoint(await sealSecret(testEnv, current), await sealSecret(testEnv, previous));
  await db.insert(webhookEndpoints).values([single, rotatedSecret]);
  const row = async (id: string) => (await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)))[0]!;

  // A run touches at most batchSize rows; the next one continues.
  expect(await run(resealWebhookSecrets, rotated, 1)).toBe(1);
  expect(await run(resealWebhookSecrets, rotated)).toBeGreaterThanOrEqual(1);
  expect(await run(resealWebhookSecrets, rotated)).toBe(0);

  const a = await row(single.id);
  expect(a.secret.startsWith("k2:")).toBe(true);
  expect(a.previousSecret).toBeNull();
  expect(await open(k2Only.ENCRYPTION_KEYS, a.secret)).toBe(onlySecret);
  const b = await row(rotatedSecret.id);
  expect(b.secret.startsWith("k2:") && b.previousSecret!.startsWith("k2:")).toBe(true);
  expect(await open(k2Only.ENCRYPTION_KEYS, b.secret)).toBe(current);
  expect(await open(k2Only.ENCRYPTION_KEYS, b.previousSecret!)).toBe(previous);

  // Delivery's signers, from the stored row with the new key alone: a receiver holding either secret verifies.
  const payload = JSON.stringify({ type: "ping", timestamp: new Date().toISOString(), data: {} });
  const messageId = newId("webhookEvent");
  const timestamp = new Date();
  const headers = (signature: string) => ({
    "webhook-id": messageId,
    "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
    "webhook-signature": signature,
  });
  const both = await openSigners(k2Only, b, Date.now());
  expect(both).toHaveLength(2);
  const signature = signatureWith(both, messageId, timestamp, payload);
  for (const secret of [current, previous]) expect(() => new Webhook(secret).verify(payload, headers(signature))).not.toThrow();
  const alone = signatureWith(await openSigners(k2Only, a, Date.now()), messageId, timestamp, payload);
  expect(() => new Webhook(onlySecret).verify(payload, headers(alone))).not.toThrow();
});

it("the scheduler runs the reseal jobs, license reveals included, until they report 0", async () => {
  const { rotated, k2Only } = rotation();
  const orgId = await insertOrg();
  const license = await insertLicense(orgId, newId("user"));
  const now = Date.now();
  await db.insert(licenseReveals).values({
    licenseId: license.id,
    checkoutId: `cs_${crypto.randomUUID()}`,
    sealedKey: await seal(testEnv.ENCRYPTION_KEYS, license.key),
    createdAt: now,
    expiresAt: now + 3_600_000,
  });
  const names = ["reseal-connect-accounts", "reseal-mail", "reseal-webhook-secrets", "reseal-license-reveals"];
  const jobs = Object.fromEntries(names.map((name) => [name, JOBS[name]!]));
  expect(Object.keys(jobs)).toEqual(names);

  const first = await runJobs(now, rotated, jobs);
  expect(Object.values(first).every((r) => r.status === "succeeded")).toBe(true);
  expect(first["reseal-license-reveals"]!.processed).toBeGreaterThanOrEqual(1);
  const reveal = (await db.select().from(licenseReveals).where(eq(licenseReveals.licenseId, license.id)))[0]!;
  expect(reveal.sealedKey.startsWith("k2:")).toBe(true);
  expect(await open(k2Only.ENCRYPTION_KEYS, reveal.sealedKey)).toBe(license.key);

  const second = await runJobs(now + 60_000, rotated, jobs);
  expect(second).toEqual(Object.fromEntries(names.map((name) => [name, { status: "succeeded", processed: 0 }])));
});
