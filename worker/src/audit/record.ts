import type { SQL } from "drizzle-orm";
import type { AuditAction } from "../../../shared/audit-actions";
import type { Ctx } from "../context";
import { newId } from "../crypto/random";
import { insertIf } from "../db/insert-if";
import { auditEvents } from "./tables";

export interface AuditInput {
  action: AuditAction;
  orgId?: string | null;
  actorUserId?: string | null;
  targetType?: string;
  targetId?: string;
  metadata?: Record<string, unknown>;
  /** Derived from the cause (with ON CONFLICT DO NOTHING) when a retry must not record the action twice. */
  id?: string;
}

/** What an audit row needs of the context: the database, and who asked (IP, request id). */
export type AuditCtx = Pick<Ctx, "db" | "meta">;

function auditRow({ meta }: AuditCtx, input: AuditInput) {
  return {
    id: input.id ?? newId("audit"),
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
export function auditInsert(ctx: AuditCtx, input: AuditInput) {
  return ctx.db.insert(auditEvents).values(auditRow(ctx, input));
}

/**
 * An audit insert for a guarded change (e.g. "unless it removes the last owner"): placed after the
 * change in the same batch, it writes the row only if `condition` holds by then, so a refused
 * change leaves no audit row claiming it happened.
 */
export function auditInsertIf(ctx: AuditCtx, input: AuditInput, condition: SQL) {
  return insertIf(ctx.db, auditEvents, auditRow(ctx, input), condition);
}
