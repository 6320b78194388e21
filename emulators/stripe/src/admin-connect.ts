import { Hono } from "hono";
import { z } from "zod";
import { markDeauthorized } from "./connect";
import type { AppEnv } from "./context";
import { emitEvent } from "./events";
import { decodeFormString } from "./form";
import { parseParams } from "./params";
import type { Account } from "./resources/accounts";
import { createPayout, PAYOUT_FAILURE_CODES } from "./resources/payouts";

const payoutParams = z
  .object({
    amount: z.coerce.number().int().positive().default(1000),
    currency: z
      .string()
      .regex(/^[a-z]{3}$/)
      .default("usd"),
    outcome: z.enum(["paid", "failed"]),
    failure_code: z.enum(PAYOUT_FAILURE_CODES).optional(),
  })
  .strict();

/** The platform's Connect application, as `account.application.*` events carry it (fixed, like the platform account). */
const APPLICATION = { id: "ca_emulatorplatform", object: "application", name: "Stripe emulator platform" };

const body = async (request: Request): Promise<Record<string, unknown>> =>
  (request.headers.get("content-type") ?? "").includes("application/json")
    ? ((await request.json()) as Record<string, unknown>)
    : (decodeFormString(await request.text()) as Record<string, unknown>);

/**
 * What happens to a connected account outside the API (emulator-only routes under /_emulator):
 * - `POST /accounts/:id/payouts` `{outcome: "paid"|"failed", amount?, currency?, failure_code?}`: an
 *   automatic payout to the account's bank, `payout.created` then `payout.paid` or `payout.failed`.
 * - `POST /accounts/:id/deauthorize`: the account disconnects the platform; the platform can no longer
 *   act as it or retrieve it, and gets `account.application.deauthorized`.
 * Each event carries `account`, so it goes to Connect endpoints, as in Stripe.
 */
export const adminConnect = new Hono<AppEnv>()
  .post("/accounts/:id/payouts", async (c) => {
    const params = parseParams(payoutParams, await body(c.req.raw));
    const account = c.var.store.get<Account>("account", c.req.param("id"));
    const store = c.var.store.forAccount(account.id);
    const payout = createPayout(store, {
      amount: params.amount,
      currency: params.currency,
      outcome: params.outcome,
      failureCode: params.failure_code,
    });
    const pending = { ...payout, status: "pending", failure_code: null, failure_message: null, failure_balance_transaction: null };
    emitEvent(store, "payout.created", pending, { account: account.id });
    emitEvent(store, `payout.${payout.status}`, payout, { account: account.id });
    return c.json(payout);
  })
  .post("/accounts/:id/deauthorize", async (c) => {
    parseParams(z.object({}).strict(), await body(c.req.raw));
    const account = c.var.store.get<Account>("account", c.req.param("id"));
    markDeauthorized(c.var.store, account.id);
    const event = emitEvent(c.var.store, "account.application.deauthorized", APPLICATION, { account: account.id });
    // The event too: the platform can no longer list the account's events to find it.
    return c.json({ account: account.id, deauthorized: true, event });
  });
