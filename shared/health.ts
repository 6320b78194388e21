/** GET /readyz: whether the Worker's dependencies answer (for operators and uptime monitors). */
import { z } from "zod";

export const READYZ_CHECKS = ["d1", "r2", "queues"] as const;

/** One dependency: whether it answered in time, how long it took, and on failure a short reason (never an internal message). */
export const ReadyzCheck = z.object({
  ok: z.boolean(),
  ms: z.number().int(),
  reason: z.enum(["unreachable", "timeout", "migrations_pending", "binding_missing"]).optional(),
  /** For `binding_missing`: the queue producer bindings that are not there. */
  missing: z.array(z.string()).optional(),
});
export type ReadyzCheckT = z.infer<typeof ReadyzCheck>;

export const Readyz = z.object({
  ok: z.boolean(),
  checks: z.object({ d1: ReadyzCheck, r2: ReadyzCheck, queues: ReadyzCheck }),
});
export type ReadyzT = z.infer<typeof Readyz>;

/** A message that reached a dead-letter queue (its retries ran out), as the operator console lists it. */
export const DeadLetter = z
  .object({
    queue: z.string(),
    messageId: z.string(),
    /** The message's body (ids only), as JSON, cut to 200 characters. */
    about: z.string(),
    attempts: z.number().int(),
    recordedAt: z.number().int(),
    /** When operators were e-mailed about it; null: not yet. */
    alertedAt: z.number().int().nullable(),
  })
  .meta({ id: "DeadLetter" });
export type DeadLetterT = z.infer<typeof DeadLetter>;

export const DeadLettersQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) });
