import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "./context";
import { invalidRequest } from "./errors";
import { parseParams } from "./params";
import { Country, setTaxRates, taxRates } from "./resources/tax";

const ratesParams = z.object({ rates: z.record(Country, z.number().min(0).max(100)) }).strict();

/** Emulator-only: the tax rate per country that automatic tax applies (mounted under `/_emulator`). */
export const adminTax = new Hono<AppEnv>()
  .get("/tax/rates", (c) => c.json({ rates: taxRates(c.var.store) }))
  .post("/tax/rates", async (c) => {
    const body = await c.req.json<Record<string, unknown>>().catch(() => {
      throw invalidRequest("Send a JSON body.");
    });
    return c.json({ rates: setTaxRates(c.var.store, parseParams(ratesParams, body).rates) });
  });
