import type { OpenAPIHono } from "@hono/zod-openapi";
import { IDEMPOTENCY_TTL_MS } from "./store";

const HOURS = IDEMPOTENCY_TTL_MS / 3_600_000;

/**
 * The header every POST/PUT/PATCH/DELETE under /v1 takes, as one shared parameter and the replay's
 * response header. Operations do not repeat it: the API description points here. The other header
 * every request may carry, the D1 bookmark, is registered with it (app.ts calls this once).
 */
export function registerIdempotencyDocs(registry: OpenAPIHono["openAPIRegistry"]) {
  registry.registerComponent("parameters", "IdempotencyKey", {
    name: "Idempotency-Key",
    in: "header",
    required: false,
    schema: { type: "string", minLength: 1, maxLength: 255, pattern: "^[!-~]+$" },
    description: [
      `Makes a retry safe: the first request with a key runs and its answer is kept for ${HOURS} hours (per user; anonymous requests share one scope and their cookies count as part of the request).`,
      "The same key with the same method, path and body answers that answer again with `Idempotent-Replayed: true`;",
      "with another request 422 `idempotency_key_reused`; while the first still runs 409 `idempotency_in_progress` with `Retry-After: 1`.",
      "A 5xx or 429 is not kept, so a retry runs again. Refunds and checkout give the key their own meaning (see those operations);",
      "Stripe events, room callbacks and tus uploads ignore it.",
    ].join(" "),
  });
  registry.registerComponent("headers", "IdempotentReplayed", {
    description: "`true` on an answer repeated for a retried `Idempotency-Key`.",
    schema: { type: "string", enum: ["true"] },
  });
}
