import { type Context, Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "./context";
import { parseParams } from "./params";
import { closeDispute, DISPUTE_REASONS, type Dispute, openDispute } from "./resources/disputes";
import type { Charge } from "./resources/payments";

const openParams = z
  .object({
    reason: z.enum(DISPUTE_REASONS).default("fraudulent"),
    amount: z.number().int().positive().optional(),
    /** Days until `evidence_details.due_by`, as the card network sets it. */
    due_in_days: z.number().int().positive().max(60).default(7),
  })
  .strict();
const closeParams = z.object({ status: z.enum(["won", "lost"]) }).strict();

const json = (c: Context<AppEnv>) => c.req.json<Record<string, unknown>>().catch(() => ({}));

/**
 * A cardholder's dispute, outside the API (emulator-only routes under /_emulator):
 * - `POST /charges/:id/dispute` `{reason?, amount?, due_in_days?}`: opens one (`needs_response`),
 *   `charge.dispute.created` and `charge.dispute.funds_withdrawn` (amount and the $15 fee);
 * - `POST /disputes/:id/close` `{status: "won"|"lost"}`: the network's decision, `charge.dispute.closed`
 *   (and `charge.dispute.funds_reinstated` when won).
 */
export const adminDisputes = new Hono<AppEnv>()
  .post("/charges/:id/dispute", async (c) => {
    const params = parseParams(openParams, await json(c));
    const store = c.var.store;
    const charge = store.get<Charge>("charge", c.req.param("id"));
    return c.json(openDispute(store, charge, { reason: params.reason, amount: params.amount, dueInDays: params.due_in_days }));
  })
  .post("/disputes/:id/close", async (c) => {
    const params = parseParams(closeParams, await json(c));
    const store = c.var.store;
    return c.json(closeDispute(store, store.get<Dispute>("dispute", c.req.param("id")), params.status));
  });
