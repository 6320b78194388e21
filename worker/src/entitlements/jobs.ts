import type { Job } from "../module";
import { expireLapsedEntitlements } from "./service";

/** Entitlements past their expiry become `expired` (see `expireLapsedEntitlements`). */
export const expireEntitlements: Job = (ctx) => expireLapsedEntitlements(ctx, { now: ctx.now, limit: ctx.batchSize });
