import { and, type SQL, sql } from "drizzle-orm";
import type { Context } from "hono";
import type { AuditAction } from "../../../shared/audit-actions";
import { truncateText } from "../../../shared/text";
import type { RequestMeta } from "../context";
import { newId } from "../crypto/random";
import type { Db } from "../db/client";
import { insertIf } from "../db/insert-if";
import { auditEvents, orgs } from "../db/schema";
import type { AppEnv } from "../env";

export interface AuditInput {
  action: AuditAction;
  orgId?: string | null;
  actorUserId?: string | null;
  targetType?: string;
  targetId?: string;
  metadata?: Record<string, unknown>;
}

/** The request's audit metadata (set by `requestContext()`). */
export const requestMeta = (c: Context<AppEnv>): RequestMeta => c.get("ctx").meta;

function auditRow(meta: RequestMeta, input: AuditInput) {
  return {
    id: newId("audit"),
    orgId: input.orgId ?? null,
    actorUserId: input.actorUserId ?? null,
    action: input.action,
    targetType: input.targetType ?? null,
    targetId: input.targetId ?? null,
    ip: meta.ip,
    requestId: meta.requestId,
    metadata: input.metadata ?? {},
    createdAt: Date.now(),
  };
}

/**
 * The insert for one audit row, not yet run: callers put it in the same `db.batch` as the change
 * it records, so an action and its audit row land together or not at all.
 */
export function auditInsert(db: Db, meta: RequestMeta, input: AuditInput) {
  return db.insert(auditEvents).values(auditRow(meta, input));
}

/**
 * An audit insert for a guarded change (e.g. "unless it removes the last owner"): placed after the
 * change in the same batch, it writes the row only if `condition` holds by then, so a refused
 * change leaves no audit row claiming it happened. An org's row also needs the org to exist.
 */
export function auditInsertIf(db: Db, meta: RequestMeta, input: AuditInput, condition: SQL) {
  const orgExists = input.orgId ? sql`EXISTS (SELECT 1 FROM ${orgs} WHERE ${orgs.id} = ${input.orgId})` : undefined;
  return insertIf(db, auditEvents, auditRow(meta, input), and(orgExists, condition)!);
}
