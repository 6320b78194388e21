import { Hono } from "hono";
import type { AppEnv } from "../context";
import { resourceMissing } from "../errors";
import { respond } from "./common";
import { countryOfTaxRate, taxRateObject } from "./tax";

/** `GET /v1/tax_rates/{id}`: the rates automatic tax names on invoices (`total_taxes[].tax_rate_details.tax_rate`). */
export const taxRatesApi = new Hono<AppEnv>().get("/:id", (c) => {
  const id = c.req.param("id");
  const country = countryOfTaxRate(id);
  if (!country) throw resourceMissing("tax_rate", id, "id");
  return respond(c, taxRateObject(c.var.store, country));
});
