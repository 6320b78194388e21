/** An org's webhook endpoints: create, list, change, rotate the secret, delete. */
import { and, desc, eq, sql } from "drizzle-orm";
import type { z } from "zod";
import type { CreateWebhookEndpointBody, UpdateWebhookEndpointBody, WebhookEndpointT } from "../../../shared/webhooks";
import { auditInsert, auditInsertIf } from "../audit";
import type { Ctx } from "../context";
import { newId } from "../crypto/random";
import type { Db } from "../db/client";
import { countBelow, insertIf } from "../db/insert-if";
import type { Env } from "../env";
import { AppError } from "../http/errors";
import { newSigningSecret, SECRET_OVERLAP_MS, sealSecret } from "./signing";
import { webhookEndpoints } from "./tables";
import { endpointUrlProblem } from "./url-guard";

type EndpointRow = typeof webhookEndpoints.$inferSelect;
/** An org's endpoint, as an admin (`actorUserId`) names it. */
interface EndpointOf {
  orgId: string;
  endpointId: string;
  actorUserId: string;
}
export const MAX_ENDPOINTS_PER_ORG = 50;

export function toEndpoint(row: EndpointRow, now = Date.now()): WebhookEndpointT {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: row.eventTypes,
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    rateLimit: row.rateLimit,
    previousSecretExpiresAt: row.previousSecret && (row.previousSecretExpiresAt ?? 0) > now ? row.previousSecretExpiresAt : null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function assertUrl(env: Env, url: string) {
  const problem = endpointUrlProblem(url, env);
  if (problem) throw new AppError("invalid_request", `url ${problem}`, { fields: { "body.url": [problem] } });
}

/** The org's endpoint; 404 for another org's, as if it did not exist. */
export async function ownEndpoint(db: Db, orgId: string, endpointId: string) {
  const [row] = await db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, endpointId), eq(webhookEndpoints.orgId, orgId)))
    .limit(1);
  if (!row) throw new AppError("not_found", "Webhook endpoint not found");
  return row;
}

export async function getEndpoint({ db }: Ctx, { orgId, endpointId }: { orgId: string; endpointId: string }) {
  return toEndpoint(await ownEndpoint(db, orgId, endpointId));
}

export async function listEndpoints({ db }: Ctx, orgId: string) {
  const rows = await db
    .select()
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.orgId, orgId))
    .orderBy(desc(webhookEndpoints.createdAt), desc(webhookEndpoints.id))
    .limit(MAX_ENDPOINTS_PER_ORG);
  return rows.map((r) => toEndpoint(r));
}

export async function createEndpoint(
  ctx: Ctx,
  { orgId, actorUserId, input }: { orgId: string; actorUserId: string; input: z.infer<typeof CreateWebhookEndpointBody> },
) {
  const { env, db } = ctx;
  assertUrl(env, input.url);
  const secret = newSigningSecret();
  const now = Date.now();
  const row: EndpointRow = {
    id: newId("webhookEndpoint"),
    orgId,
    url: input.url,
    description: input.description,
    eventTypes: input.eventTypes,
    enabled: input.enabled,
    disabledReason: null,
    rateLimit: input.rateLimit,
    secret: await sealSecret(env, secret),
    previousSecret: null,
    previousSecretExpiresAt: null,
    failingSince: null,
    createdAt: now,
    updatedAt: now,
  };
  const [inserted] = await db.batch([
    insertIf(
      db,
      webhookEndpoints,
      row,
      countBelow(db, webhookEndpoints, eq(webhookEndpoints.orgId, orgId), MAX_ENDPOINTS_PER_ORG),
    ).returning({ id: webhookEndpoints.id }),
    auditInsertIf(
      ctx,
      { action: "webhook_endpoint.created", actorUserId, orgId, targetType: "webhook_endpoint", targetId: row.id },
      sql`EXISTS (SELECT 1 FROM ${webhookEndpoints} WHERE ${webhookEndpoints.id} = ${row.id})`,
    ),
  ]);
  if (inserted.length === 0) throw new AppError("conflict", `An org has at most ${MAX_ENDPOINTS_PER_ORG} webhook endpoints`);
  return { ...toEndpoint(row, now), secret };
}

export async function updateEndpoint(
  ctx: Ctx,
  { orgId, endpointId, actorUserId, input }: EndpointOf & { input: z.infer<typeof UpdateWebhookEndpointBody> },
) {
  const { env, db } = ctx;
  const row = await ownEndpoint(db, orgId, endpointId);
  if (input.url !== undefined) assertUrl(env, input.url);
  const now = Date.now();
  // Enabling again clears Plaza's reason and the failure streak.
  const reenabled = input.enabled === true && !row.enabled ? { disabledReason: null, failingSince: null } : {};
  const [updated] = await db.batch([
    db
      .update(webhookEndpoints)
      .set({ ...input, ...reenabled, updatedAt: now })
      .where(eq(webhookEndpoints.id, row.id))
      .returning(),
    auditInsert(ctx, { action: "webhook_endpoint.updated", actorUserId, orgId, targetType: "webhook_endpoint", targetId: row.id }),
  ]);
  return toEndpoint(updated[0]!, now);
}

/** A new secret, shown once; the old one keeps signing (as a second signature) for 24 hours. */
export async function rotateSecret(ctx: Ctx, { orgId, endpointId, actorUserId }: EndpointOf) {
  const { env, db } = ctx;
  const row = await ownEndpoint(db, orgId, endpointId);
  const secret = newSigningSecret();
  const now = Date.now();
  const [updated] = await db.batch([
    db
      .update(webhookEndpoints)
      .set({
        secret: await sealSecret(env, secret),
        previousSecret: row.secret,
        previousSecretExpiresAt: now + SECRET_OVERLAP_MS,
        updatedAt: now,
      })
      .where(eq(webhookEndpoints.id, row.id))
      .returning(),
    auditInsert(ctx, {
      action: "webhook_endpoint.secret_rotated",
      actorUserId,
      orgId,
      targetType: "webhook_endpoint",
      targetId: row.id,
    }),
  ]);
  return { ...toEndpoint(updated[0]!, now), secret };
}

export async function deleteEndpoint(ctx: Ctx, { orgId, endpointId, actorUserId }: EndpointOf) {
  const { db } = ctx;
  const row = await ownEndpoint(db, orgId, endpointId);
  await db.batch([
    db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, row.id)),
    auditInsert(ctx, { action: "webhook_endpoint.deleted", actorUserId, orgId, targetType: "webhook_endpoint", targetId: row.id }),
  ]);
}
